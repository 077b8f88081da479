// A WCF (BasicHttpBinding) peer for the interop tests, driven by JSON plans from tests/wcf/peer.py.
//
//   mono Peer.exe client PLAN OUT   calls endpoints with WCF's client stack and writes what came back
//   mono Peer.exe serve PLAN RECORD hosts the contracts in a ServiceHost, answers from the plan and
//                                   appends each request it received to RECORD (one JSON line each)
//
// Values cross between Python and .NET in a canonical JSON: a data contract is an object keyed by
// its members' XML names, a collection an array, every scalar its XML lexical form (a string).
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Serialization;
using System.ServiceModel;
using System.ServiceModel.Channels;
using System.Threading;
using System.Web.Script.Serialization;
using System.Xml;
using System.Xml.Serialization;

namespace AltinnPeer
{
    static class Canonical
    {
        public static object ToJson(object value)
        {
            if (value == null) return null;
            var type = value.GetType();
            if (value is string) return value;
            if (value is byte[]) return Convert.ToBase64String((byte[])value);
            if (type.IsEnum) return EnumValue(type, value);
            if (value is DateTime) return XmlConvert.ToString((DateTime)value, XmlDateTimeSerializationMode.RoundtripKind);
            if (value is bool) return XmlConvert.ToString((bool)value);
            if (value is TimeSpan) return XmlConvert.ToString((TimeSpan)value);
            if (value is Guid) return value.ToString();
            if (value is char) return XmlConvert.ToString((int)(char)value);
            if (value is decimal) return XmlConvert.ToString((decimal)value);
            if (value is double) return XmlConvert.ToString((double)value);
            if (value is float) return XmlConvert.ToString((float)value);
            if (type.IsPrimitive) return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            if (value is IEnumerable)
                return ((IEnumerable)value).Cast<object>().Select(ToJson).ToList();
            var members = new Dictionary<string, object>();
            foreach (var member in Members(type))
                members[member.Key] = ToJson(member.Value.GetValue(value, null));
            return members;
        }

        public static object FromJson(object json, Type type)
        {
            if (json == null) return null;
            var nullable = Nullable.GetUnderlyingType(type);
            if (nullable != null) type = nullable;
            if (type == typeof(string)) return (string)json;
            if (type == typeof(byte[])) return Convert.FromBase64String((string)json);
            var text = json as string;
            if (type.IsEnum) return ParseEnum(type, text);
            if (type == typeof(DateTime)) return XmlConvert.ToDateTime(text, XmlDateTimeSerializationMode.RoundtripKind);
            if (type == typeof(bool)) return XmlConvert.ToBoolean(text);
            if (type == typeof(TimeSpan)) return XmlConvert.ToTimeSpan(text);
            if (type == typeof(Guid)) return new Guid(text);
            if (type == typeof(char)) return (char)XmlConvert.ToInt32(text);
            if (type == typeof(decimal)) return XmlConvert.ToDecimal(text);
            if (type == typeof(double)) return XmlConvert.ToDouble(text);
            if (type == typeof(float)) return XmlConvert.ToSingle(text);
            if (type.IsPrimitive) return Convert.ChangeType(text, type, System.Globalization.CultureInfo.InvariantCulture);
            if (type.IsArray)
            {
                var items = ((IEnumerable)json).Cast<object>().ToList();
                var array = Array.CreateInstance(type.GetElementType(), items.Count);
                for (var i = 0; i < items.Count; i++) array.SetValue(FromJson(items[i], type.GetElementType()), i);
                return array;
            }
            var itemType = ListItemType(type);
            if (itemType != null)
            {
                var list = (IList)Activator.CreateInstance(type);
                foreach (var item in (IEnumerable)json) list.Add(FromJson(item, itemType));
                return list;
            }
            var instance = Activator.CreateInstance(type);
            var members = Members(type);
            foreach (var entry in (IDictionary<string, object>)json)
            {
                PropertyInfo property;
                if (!members.TryGetValue(entry.Key, out property))
                    throw new ArgumentException(type.Name + " has no member " + entry.Key);
                property.SetValue(instance, FromJson(entry.Value, property.PropertyType), null);
            }
            return instance;
        }

        // The data members of a data contract (or the elements of an XmlSerializer type), by XML name.
        static Dictionary<string, PropertyInfo> Members(Type type)
        {
            var members = new Dictionary<string, PropertyInfo>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.Name == "ExtensionData") continue;
                var member = (DataMemberAttribute)Attribute.GetCustomAttribute(property, typeof(DataMemberAttribute));
                var element = (XmlElementAttribute)Attribute.GetCustomAttribute(property, typeof(XmlElementAttribute));
                if (member != null) members[member.Name ?? property.Name] = property;
                else if (element != null) members[string.IsNullOrEmpty(element.ElementName) ? property.Name : element.ElementName] = property;
            }
            return members;
        }

        static Type ListItemType(Type type)
        {
            for (var t = type; t != null; t = t.BaseType)
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>)) return t.GetGenericArguments()[0];
            return null;
        }

        static string EnumValue(Type type, object value)
        {
            var field = type.GetField(value.ToString());
            var member = field == null ? null : (EnumMemberAttribute)Attribute.GetCustomAttribute(field, typeof(EnumMemberAttribute));
            return member != null && member.Value != null ? member.Value : value.ToString();
        }

        static object ParseEnum(Type type, string text)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var member = (EnumMemberAttribute)Attribute.GetCustomAttribute(field, typeof(EnumMemberAttribute));
                if ((member != null && member.Value == text) || field.Name == text) return field.GetValue(null);
            }
            throw new ArgumentException(type.Name + " has no value " + text);
        }
    }

    static class Contracts
    {
        public static Type Find(string assembly, string name)
        {
            var type = Assembly.LoadFrom(assembly).GetTypes().FirstOrDefault(t => t.IsInterface && t.Name == name);
            if (type == null) throw new ArgumentException(assembly + " has no service contract " + name);
            return type;
        }

        public static BasicHttpBinding Binding()
        {
            var binding = new BasicHttpBinding { MaxReceivedMessageSize = 64L << 20 };
            binding.ReaderQuotas = XmlDictionaryReaderQuotas.Max;
            return binding;
        }

        // The fault a call raised, as the canonical JSON the tests compare.
        public static Dictionary<string, object> Fault(FaultException fault)
        {
            var result = new Dictionary<string, object>
            {
                { "code", fault.Code.Name },
                { "reason", fault.Reason.ToString() },
            };
            var type = fault.GetType();
            if (type.IsGenericType)
            {
                result["detailType"] = type.GetGenericArguments()[0].Name;
                result["detail"] = Canonical.ToJson(type.GetProperty("Detail").GetValue(fault, null));
            }
            return result;
        }
    }

    // Client mode: each call of the plan through a ChannelFactory of its contract.
    static class ClientMode
    {
        public static void Run(IList<object> plan, string output)
        {
            var results = new List<object>();
            foreach (IDictionary<string, object> call in plan)
            {
                var contract = Contracts.Find((string)call["assembly"], (string)call["contract"]);
                var factoryType = typeof(ChannelFactory<>).MakeGenericType(contract);
                var factory = (ChannelFactory)Activator.CreateInstance(
                    factoryType, Contracts.Binding(), new EndpointAddress((string)call["url"]));
                var channel = factoryType.GetMethod("CreateChannel", Type.EmptyTypes).Invoke(factory, null);
                var method = contract.GetMethod((string)call["operation"]);
                var args = (IDictionary<string, object>)call["args"];
                var values = method.GetParameters()
                    .Select(p => Canonical.FromJson(args.ContainsKey(p.Name) ? args[p.Name] : null, p.ParameterType))
                    .ToArray();
                var result = new Dictionary<string, object>();
                try
                {
                    result["result"] = Canonical.ToJson(method.Invoke(channel, values));
                }
                catch (TargetInvocationException error)
                {
                    var fault = error.InnerException as FaultException;
                    if (fault != null) result["fault"] = Contracts.Fault(fault);
                    else result["error"] = error.InnerException.GetType().Name + ": " + error.InnerException.Message;
                }
                ((IClientChannel)channel).Abort();
                factory.Abort();
                results.Add(result);
            }
            File.WriteAllText(output, new JavaScriptSerializer { MaxJsonLength = int.MaxValue }.Serialize(results));
        }
    }

    // Service mode: one ServiceHost per contract; every method forwards to Handle.
    public static class ServiceMode
    {
        static readonly Dictionary<string, Queue<IDictionary<string, object>>> Answers =
            new Dictionary<string, Queue<IDictionary<string, object>>>();
        static readonly Dictionary<string, MethodInfo> Methods = new Dictionary<string, MethodInfo>();
        static readonly object Lock = new object();
        static string record;

        public static void Run(IDictionary<string, object> plan, string recordPath)
        {
            record = recordPath;
            var hosts = new List<ServiceHost>();
            foreach (IDictionary<string, object> service in (IEnumerable)plan["services"])
            {
                var contract = Contracts.Find((string)service["assembly"], (string)service["contract"]);
                foreach (var method in contract.GetMethods()) Methods[contract.Name + "." + method.Name] = method;
                foreach (var answer in (IDictionary<string, object>)service["answers"])
                    Answers[contract.Name + "." + answer.Key] = new Queue<IDictionary<string, object>>(
                        ((IEnumerable)answer.Value).Cast<IDictionary<string, object>>());
                var host = new ServiceHost(Implement(contract), new Uri((string)service["url"]));
                host.AddServiceEndpoint(contract, Contracts.Binding(), "");
                host.Open();
                hosts.Add(host);
            }
            Console.WriteLine("ready");
            Console.Out.Flush();
            Console.In.ReadToEnd(); // serve until the test closes our standard input
            foreach (var host in hosts) host.Close();
        }

        public static object Handle(string contract, string operation, object[] args)
        {
            var key = contract + "." + operation;
            var method = Methods[key];
            IDictionary<string, object> answer;
            lock (Lock)
            {
                var received = new Dictionary<string, object>();
                var parameters = method.GetParameters();
                for (var i = 0; i < args.Length; i++) received[parameters[i].Name] = Canonical.ToJson(args[i]);
                var line = new Dictionary<string, object> { { "operation", operation }, { "args", received } };
                File.AppendAllText(record, new JavaScriptSerializer { MaxJsonLength = int.MaxValue }.Serialize(line) + "\n");
                Queue<IDictionary<string, object>> queue;
                if (!Answers.TryGetValue(key, out queue) || queue.Count == 0)
                    throw new FaultException("the peer's plan has no answer for " + key);
                answer = queue.Dequeue();
            }
            if (answer.ContainsKey("fault"))
            {
                var fault = (IDictionary<string, object>)answer["fault"];
                var contractFault = (FaultContractAttribute)Attribute.GetCustomAttribute(method, typeof(FaultContractAttribute));
                var detail = Canonical.FromJson(fault["detail"], contractFault.DetailType);
                var faultType = typeof(FaultException<>).MakeGenericType(contractFault.DetailType);
                throw (FaultException)Activator.CreateInstance(faultType, detail, new FaultReason((string)fault["reason"]));
            }
            return Canonical.FromJson(answer["result"], method.ReturnType);
        }

        // A class implementing every method of the contract as `return (R)Handle(contract, name, args)`.
        static Type Implement(Type contract)
        {
            var assembly = AppDomain.CurrentDomain.DefineDynamicAssembly(
                new AssemblyName("Peer" + contract.Name), AssemblyBuilderAccess.Run);
            var module = assembly.DefineDynamicModule("Peer" + contract.Name);
            var type = module.DefineType("Peer" + contract.Name, TypeAttributes.Public | TypeAttributes.Class,
                typeof(object), new[] { contract });
            type.DefineDefaultConstructor(MethodAttributes.Public);
            var handle = typeof(ServiceMode).GetMethod("Handle");
            foreach (var method in contract.GetMethods())
            {
                var parameters = method.GetParameters();
                var implementation = type.DefineMethod(method.Name,
                    MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final |
                    MethodAttributes.HideBySig | MethodAttributes.NewSlot,
                    method.ReturnType, parameters.Select(p => p.ParameterType).ToArray());
                var il = implementation.GetILGenerator();
                il.Emit(OpCodes.Ldstr, contract.Name);
                il.Emit(OpCodes.Ldstr, method.Name);
                il.Emit(OpCodes.Ldc_I4, parameters.Length);
                il.Emit(OpCodes.Newarr, typeof(object));
                for (var i = 0; i < parameters.Length; i++)
                {
                    il.Emit(OpCodes.Dup);
                    il.Emit(OpCodes.Ldc_I4, i);
                    il.Emit(OpCodes.Ldarg, i + 1);
                    if (parameters[i].ParameterType.IsValueType) il.Emit(OpCodes.Box, parameters[i].ParameterType);
                    il.Emit(OpCodes.Stelem_Ref);
                }
                il.Emit(OpCodes.Call, handle);
                if (method.ReturnType == typeof(void)) il.Emit(OpCodes.Pop);
                else if (method.ReturnType.IsValueType) il.Emit(OpCodes.Unbox_Any, method.ReturnType);
                else il.Emit(OpCodes.Castclass, method.ReturnType);
                il.Emit(OpCodes.Ret);
                type.DefineMethodOverride(implementation, method);
            }
            return type.CreateType();
        }
    }

    static class Program
    {
        static int Main(string[] args)
        {
            if (args.Length != 3 || (args[0] != "client" && args[0] != "serve"))
            {
                Console.Error.WriteLine("usage: Peer.exe client PLAN OUT | Peer.exe serve PLAN RECORD");
                return 2;
            }
            var plan = new JavaScriptSerializer { MaxJsonLength = int.MaxValue }.DeserializeObject(File.ReadAllText(args[1]));
            if (args[0] == "client") ClientMode.Run(((IEnumerable)plan).Cast<object>().ToList(), args[2]);
            else ServiceMode.Run((IDictionary<string, object>)plan, args[2]);
            return 0;
        }
    }
}

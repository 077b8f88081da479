// The detail of Altinn's SOAP faults ({http://www.altinn.no/services/common/fault/2009/10}AltinnFault),
// written from the WSDLs' schema: Mono's svcutil leaves WSDL faults out of the proxies it generates.
using System.Runtime.Serialization;

namespace AltinnPeer
{
    [DataContract(Name = "AltinnFault", Namespace = "http://www.altinn.no/services/common/fault/2009/10")]
    public class AltinnFault
    {
        [DataMember(EmitDefaultValue = false, Order = 0)] public string AltinnErrorMessage { get; set; }
        [DataMember(EmitDefaultValue = false, Order = 1)] public string AltinnExtendedErrorMessage { get; set; }
        [DataMember(EmitDefaultValue = false, Order = 2)] public string AltinnLocalizedErrorMessage { get; set; }
        [DataMember(EmitDefaultValue = false, Order = 3)] public string ErrorGuid { get; set; }
        [DataMember(Order = 4)] public int ErrorID { get; set; }
        [DataMember(EmitDefaultValue = false, Order = 5)] public string UserGuid { get; set; }
        [DataMember(EmitDefaultValue = false, Order = 6)] public string UserId { get; set; }
    }
}

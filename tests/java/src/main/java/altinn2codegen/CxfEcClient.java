/*
 * Apache CXF as an independent EC/EC2 client, configured the way Altinn's own Java reference
 * client is: the WSDL's WS-SecurityPolicy drives everything (CXF bootstraps the
 * SecureConversation token from the endpoint itself with an X.509-signed RST, then signs each
 * call with it, through derived keys where the policy says so), the enterprise certificate is a
 * WSS4J Merlin keystore (PKCS#12 or JKS), and the enterprise user's userName/password travel in
 * the body the caller gives. Where the policy allows it (no mssp:MustNotSendCancel: EC), the
 * context is cancelled after the call, as WCF does with requireSecurityContextCancellation.
 *
 * Each call is a JAX-WS Dispatch (payload mode) on the WSDL's port, the operation named
 * explicitly. One line per event, in order:
 *   SENT <wsa:Action>          every message CXF sends (issue, call, cancel)
 *   RECEIVED <wsa:Action> <HTTP status>   every answer, a fault included
 *   ATTACHMENT <operation> <content id> <size>:<sha256 hex>   each binary part of an MTOM answer
 *   RESULT <operation> <xml>   the response payload, on one line
 *   FAULT <operation> <code> <subcode|-> <reason>
 *   ERROR <operation> <exception>
 * and DONE at the end.
 *
 * Usage: java altinn2codegen.CxfEcClient [--again-after MS] KEYSTORE PASSWORD CA.pem
 *            (WSDL SERVICE PORT URL OPERATION PAYLOAD.xml)...
 * With --again-after, each call is made a second time on the same port MS milliseconds later
 * (its own RESULT/FAULT/ERROR line): CXF then uses the cached context, or, if it has expired,
 * renews it (RST/SCT/Renew) and issues a new one when the renewal fails.
 * (QNames as {namespace}local; OPERATION is the WSDL operation's local name; the keystore holds
 * one private key, its password the store's; CA.pem is what the server's TLS certificate must
 * chain to).
 *
 * A streamed (MTOM) operation: MTOM is switched on for the call when the WSDL's policy asks for
 * it, and the payload may have two companions beside it (PAYLOAD is X.xml):
 *   X.headers.xml   an element whose children are the operation's SOAP header parts, sent as
 *                   SOAP headers;
 *   X.attachment    the file to upload, sent as the binary part with the content ID
 *                   UPLOAD_ID; the payload's base64Binary element holds an
 *                   xop:Include href="cid:UPLOAD_ID" pointing at it.
 */

package altinn2codegen;

import java.io.Closeable;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.security.MessageDigest;

import javax.net.ssl.TrustManagerFactory;
import javax.wsdl.Definition;
import javax.wsdl.Import;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Source;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;

import jakarta.activation.DataHandler;
import jakarta.activation.FileDataSource;
import jakarta.xml.soap.SOAPFault;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.Dispatch;
import jakarta.xml.ws.Service;
import jakarta.xml.ws.handler.MessageContext;
import jakarta.xml.ws.soap.SOAPBinding;
import jakarta.xml.ws.soap.SOAPFaultException;

import org.apache.cxf.Bus;
import org.apache.cxf.attachment.AttachmentImpl;
import org.apache.cxf.binding.soap.SoapHeader;
import org.apache.cxf.headers.Header;
import org.apache.cxf.interceptor.AttachmentOutInterceptor;
import org.apache.cxf.message.Attachment;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSClientParameters;
import org.apache.cxf.endpoint.Client;
import org.apache.cxf.jaxws.DispatchImpl;
import org.apache.cxf.message.Message;
import org.apache.cxf.message.MessageUtils;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.service.model.BindingOperationInfo;
import org.apache.cxf.transport.http.HTTPConduitConfigurer;
import org.apache.cxf.wsdl.WSDLManager;
import org.apache.cxf.ws.addressing.AddressingProperties;
import org.apache.cxf.ws.addressing.JAXWSAConstants;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public final class CxfEcClient {

    private CxfEcClient() {
    }

    /** Prints the WS-Addressing Action of every message that passes, in or out. */
    static final class Trace extends AbstractPhaseInterceptor<Message> {
        Trace(String phase) {
            super(phase);
        }

        @Override
        public void handleMessage(Message message) {
            boolean outbound = MessageUtils.isOutbound(message);
            AddressingProperties maps = (AddressingProperties) message.get(outbound
                ? JAXWSAConstants.ADDRESSING_PROPERTIES_OUTBOUND
                : JAXWSAConstants.ADDRESSING_PROPERTIES_INBOUND);
            String action = maps != null && maps.getAction() != null ? maps.getAction().getValue() : "-";
            if (outbound) {
                System.out.println("SENT " + action);
            } else {
                System.out.println("RECEIVED " + action + " " + message.get(Message.RESPONSE_CODE));
            }
            System.out.flush();
        }
    }

    /** The content ID of an upload's binary part (the payload's xop:Include names it). */
    static final String UPLOAD_ID = "upload@cxf.test";

    /** Where a call's request context holds the file to upload. */
    static final String UPLOAD = "altinn2codegen.upload";

    /** Adds the call's file (if any) to the request's attachments, as the XOP part the
     * payload's xop:Include points to; CXF then writes the message as MTOM. */
    static final class Attaching extends AbstractPhaseInterceptor<Message> {
        Attaching() {
            super(Phase.PRE_STREAM);
            addBefore(AttachmentOutInterceptor.class.getName());
        }

        @Override
        public void handleMessage(Message message) {
            Object file = message.getContextualProperty(UPLOAD);
            if (!(file instanceof Path path)) {
                return;
            }
            AttachmentImpl part = new AttachmentImpl(UPLOAD_ID, new DataHandler(new FileDataSource(path.toFile())));
            part.setXOP(true);
            Collection<Attachment> attachments = message.getAttachments();
            if (attachments == null) {
                attachments = new ArrayList<>();
                message.setAttachments(attachments);
            }
            attachments.add(part);
        }
    }

    /** Milliseconds before each call is made once more on the same port (0: once only). */
    static long againAfter = 0;

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[0].equals("--again-after")) {
            againAfter = Long.parseLong(args[1]);
            args = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length < 9 || (args.length - 3) % 6 != 0) {
            System.err.println("usage: CxfEcClient KEYSTORE PASSWORD CA.pem (WSDL SERVICE PORT URL OPERATION PAYLOAD)...");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        Bus bus = BusFactory.getDefaultBus();
        TLSClientParameters tls = new TLSClientParameters();
        tls.setTrustManagers(trustManagers(args[2]));
        // Every conduit of the bus, the one CXF's internal STS client uses included.
        bus.setExtension((HTTPConduitConfigurer) (name, address, conduit) -> conduit.setTlsClientParameters(tls),
            HTTPConduitConfigurer.class);
        bus.getOutInterceptors().add(new Trace(Phase.PRE_STREAM));
        bus.getInInterceptors().add(new Trace(Phase.POST_PROTOCOL));

        Properties keystore = merlin(args[0], args[1]);
        for (int i = 3; i < args.length; i += 6) {
            call(args[i], QName.valueOf(args[i + 1]), QName.valueOf(args[i + 2]), args[i + 3], args[i + 4],
                Path.of(args[i + 5]), keystore);
        }
        System.out.println("DONE");
        System.out.flush();
        bus.shutdown(true);
        System.exit(0);
    }

    /** The enterprise certificate as WSS4J reads it: the Merlin properties Altinn's client sets. */
    static Properties merlin(String file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance(new File(file), password.toCharArray()); // PKCS#12 or JKS
        String alias = Collections.list(store.aliases()).stream().filter(name -> isKey(store, name))
            .findFirst().orElseThrow(() -> new IllegalArgumentException(file + ": no private key"));
        Properties properties = new Properties();
        String prefix = "org.apache.wss4j.crypto.merlin.";
        properties.setProperty("org.apache.wss4j.crypto.provider", "org.apache.wss4j.common.crypto.Merlin");
        properties.setProperty(prefix + "keystore.file", file);
        properties.setProperty(prefix + "keystore.type", store.getType());
        properties.setProperty(prefix + "keystore.password", password);
        properties.setProperty(prefix + "keystore.private.password", password);
        properties.setProperty(prefix + "keystore.alias", alias);
        return properties;
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (Exception exc) {
            return false;
        }
    }

    static javax.net.ssl.TrustManager[] trustManagers(String caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (FileInputStream in = new FileInputStream(caPem)) {
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + n++, cert);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory.getTrustManagers();
    }

    static void call(String wsdl, QName serviceName, QName portName, String url, String operation, Path payload,
                     Properties keystore) throws Exception {
        Service service = Service.create(new File(wsdl).toURI().toURL(), serviceName);
        Dispatch<Source> dispatch = service.createDispatch(portName, Source.class, Service.Mode.PAYLOAD);
        Map<String, Object> context = dispatch.getRequestContext();
        context.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, url);
        context.put(MessageContext.WSDL_OPERATION, operationName(dispatch, operation));
        // As Altinn's Java reference client sets them.
        context.put("security.signature.properties", keystore);
        context.put("security.must-understand", true);
        context.put("security.cache.issued.token.in.endpoint", true);
        context.put("security.issue.after.failed.renew", true);
        context.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
        // CXF knows no mssp:MustNotSendCancel: the WSDL says whether the context may be cancelled.
        context.put("security.sts.token.do.cancel", !says(wsdl, "MustNotSendCancel"));
        streamed(dispatch, wsdl, payload);
        try {
            invoke(dispatch, operation, payload);
            if (againAfter > 0) {
                Thread.sleep(againAfter);
                invoke(dispatch, operation, payload);
            }
        } finally {
            ((Closeable) dispatch).close();
        }
    }

    /** One call on the port: its RESULT, FAULT or ERROR line. */
    static void invoke(Dispatch<Source> dispatch, String operation, Path payload) {
        try {
            Source answer = dispatch.invoke(new StreamSource(payload.toFile()));
            printAttachments(operation, dispatch.getResponseContext());
            System.out.println("RESULT " + operation + " " + oneLine(answer));
        } catch (SOAPFaultException exc) {
            SOAPFault fault = exc.getFault();
            Iterator<QName> subcodes = fault.getFaultSubcodes();
            String subcode = subcodes.hasNext() ? subcodes.next().toString() : "-";
            System.out.println("FAULT " + operation + " " + fault.getFaultCodeAsQName() + " " + subcode + " "
                + fault.getFaultString().replace('\n', ' '));
        } catch (Exception exc) {
            StringBuilder causes = new StringBuilder(String.valueOf(exc));
            for (Throwable cause = exc.getCause(); cause != null; cause = cause.getCause()) {
                causes.append(" <- ").append(cause);
            }
            System.out.println("ERROR " + operation + " " + causes.toString().replace('\n', ' '));
        }
        System.out.flush();
    }

    /** A streamed operation's extras: MTOM where the policy asks for it (the adapted WSDL says so
     * in a comment, see the README), the payload's header parts and file (see the usage). */
    static void streamed(Dispatch<Source> dispatch, String wsdl, Path payload) throws Exception {
        if (says(wsdl, "OptimizedMimeSerialization")) {
            ((SOAPBinding) dispatch.getBinding()).setMTOMEnabled(true);
        }
        String stem = payload.toString().replaceFirst("\\.xml$", "");
        Path headers = Path.of(stem + ".headers.xml");
        if (Files.exists(headers)) {
            List<Header> parts = new ArrayList<>();
            for (Node node = parse(headers).getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element part) {
                    parts.add(new SoapHeader(new QName(part.getNamespaceURI(), part.getLocalName()), part));
                }
            }
            dispatch.getRequestContext().put(Header.HEADER_LIST, parts);
        }
        Path file = Path.of(stem + ".attachment");
        if (Files.exists(file)) {
            dispatch.getRequestContext().put(UPLOAD, file);
            ((DispatchImpl<?>) dispatch).getClient().getOutInterceptors().add(new Attaching());
        }
    }

    static Element parse(Path xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
    }

    /** One ATTACHMENT line per binary part of the answer: its size and SHA-256, read as a stream. */
    @SuppressWarnings("unchecked")
    static void printAttachments(String operation, Map<String, Object> response) throws Exception {
        Object found = response.get(MessageContext.INBOUND_MESSAGE_ATTACHMENTS);
        if (!(found instanceof Map<?, ?> attachments)) {
            return;
        }
        for (Map.Entry<String, DataHandler> entry : ((Map<String, DataHandler>) attachments).entrySet()) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long size = 0;
            byte[] buffer = new byte[65536];
            try (InputStream in = entry.getValue().getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0; size += n) {
                    digest.update(buffer, 0, n);
                }
            }
            System.out.println("ATTACHMENT " + operation + " " + entry.getKey() + " " + size + ":"
                + HexFormat.of().formatHex(digest.digest()));
        }
    }

    /** The binding's operation of that local name (its namespace is the port type's, which
     * may differ from the service's). */
    static QName operationName(Dispatch<?> dispatch, String localName) {
        Client client = ((DispatchImpl<?>) dispatch).getClient();
        for (BindingOperationInfo operation : client.getEndpoint().getEndpointInfo().getBinding().getOperations()) {
            if (operation.getName().getLocalPart().equals(localName)) {
                return operation.getName();
            }
        }
        throw new IllegalArgumentException("no operation " + localName + " in the port's binding");
    }

    /** Whether the WSDL or one it imports (WCF puts the binding's policy in `?wsdl=wsdl0`) holds
     * `text`. */
    static boolean says(String wsdl, String text) throws Exception {
        Definition definition = BusFactory.getDefaultBus().getExtension(WSDLManager.class)
            .getDefinition(new File(wsdl).toURI().toString());
        return says(definition, text);
    }

    private static boolean says(Definition definition, String text) throws Exception {
        if (Files.readString(Path.of(new URI(definition.getDocumentBaseURI()))).contains(text)) {
            return true;
        }
        for (Object imports : definition.getImports().values()) {
            for (Object imported : (List<?>) imports) {
                if (says(((Import) imported).getDefinition(), text)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The payload serialized without line breaks (those in text become character references). */
    static String oneLine(Source source) throws Exception {
        if (source == null) {
            return "-";
        }
        Transformer transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        StringWriter out = new StringWriter();
        transformer.transform(source, new StreamResult(out));
        return out.toString().replace("\r", "&#13;").replace("\n", "&#10;");
    }
}

/*
 * Apache CXF as an independent WS-SecureConversation peer: serves one Altinn EC/EC2 WSDL,
 * WSDL-first, on loopback HTTPS, enforcing the WSDL's WS-SecurityPolicy (transport binding,
 * SecureConversationToken issued by the endpoint itself after an X.509 bootstrap signature,
 * derived keys where the policy requires them). The WSDL is taken as given, except for what the
 * test adapted before handing it over (see the README).
 *
 * The operations are answered by a JAX-WS Provider: it returns an empty "<operation>Response"
 * element and prints one line per call with what CXF's WS-Security processing validated:
 *   CALL <request element> results=<WSS4J actions, in order>
 *
 * A streamed WSDL (its policy says wsoma:OptimizedMimeSerialization) is served with MTOM on:
 * - an upload (the request carries an attachment) is answered with an empty
 *   ReceiptExternalStreamedBE, and the line adds what arrived: " attachment=<size>:<sha256 hex>";
 * - a download (DownloadFileStreamedEC, GetAttachmentDataECStreamed) is answered with an
 *   "<operation>Result" holding an xop:Include of one binary part: the content test_content(n),
 *   n = the request's fileReference or attachmentId; the line adds " sent=<n>".
 * test_content(n): the first n bytes of SHA-256(0) || SHA-256(1) || ..., each counter an 8-byte
 * big-endian number (the test computes the same bytes to check what it received).
 *
 * Usage: java altinn2codegen.CxfEcServer SERVER.p12 PASSWORD CA.pem (WSDL SERVICE PORT URL)...
 * (QNames as {namespace}local; one JVM serves every endpoint given). Prints "READY" when all are
 * published; exits when stdin closes.
 */

package altinn2codegen;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.xml.namespace.QName;
import javax.xml.transform.Source;
import javax.xml.transform.dom.DOMResult;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.stream.StreamSource;

import jakarta.activation.DataHandler;
import jakarta.annotation.Resource;
import jakarta.mail.util.ByteArrayDataSource;
import jakarta.xml.ws.Provider;
import jakarta.xml.ws.Service;
import jakarta.xml.ws.ServiceMode;
import jakarta.xml.ws.WebServiceContext;
import jakarta.xml.ws.WebServiceProvider;
import jakarta.xml.ws.handler.MessageContext;

import org.apache.cxf.Bus;
import org.apache.cxf.attachment.AttachmentImpl;
import org.apache.cxf.interceptor.AttachmentOutInterceptor;
import org.apache.cxf.message.Attachment;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.phase.PhaseInterceptorChain;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSServerParameters;
import org.apache.cxf.jaxws.JaxWsServerFactoryBean;
import org.apache.cxf.transport.http_jetty.JettyHTTPServerEngineFactory;
import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.engine.WSSecurityEngineResult;
import org.apache.wss4j.dom.handler.WSHandlerConstants;
import org.apache.wss4j.dom.handler.WSHandlerResult;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public final class CxfEcServer {

    private CxfEcServer() {
    }

    @WebServiceProvider
    @ServiceMode(Service.Mode.PAYLOAD)
    public static final class Answering implements Provider<Source> {
        @Resource
        private WebServiceContext context;

        @Override
        public Source invoke(Source request) {
            try {
                DOMResult dom = new DOMResult();
                TransformerFactory.newInstance().newTransformer().transform(request, dom);
                Node node = dom.getNode();
                Element element = node instanceof Element ? (Element) node : (Element) node.getFirstChild();
                String name = element.getLocalName();
                String ns = element.getNamespaceURI();
                String line = "CALL " + name + " results=" + actions();
                String answer = "<" + name + "Response xmlns=\"" + ns + "\"/>";
                Map<String, DataHandler> received = inboundAttachments();
                String size = firstText(element, "fileReference", "attachmentId");
                if (!received.isEmpty()) {
                    line += " attachment=" + describe(received.values().iterator().next());
                    answer = "<ReceiptExternalStreamedBE xmlns=\"" + ns + "\"/>";
                } else if (size != null) {
                    int length = Integer.parseInt(size.trim());
                    String id = "content-" + length + "@cxf.test";
                    AttachmentImpl part = new AttachmentImpl(id, new DataHandler(
                        new ByteArrayDataSource(testContent(length), "application/octet-stream")));
                    part.setXOP(true);
                    PhaseInterceptorChain.getCurrentMessage().getExchange().put(ATTACHMENT, part);
                    answer = "<" + name + "Response xmlns=\"" + ns + "\"><" + name + "Result>"
                        + "<xop:Include xmlns:xop=\"http://www.w3.org/2004/08/xop/include\" href=\"cid:" + id + "\"/>"
                        + "</" + name + "Result></" + name + "Response>";
                    line += " sent=" + length;
                }
                System.out.println(line);
                System.out.flush();
                return new StreamSource(new StringReader(answer));
            } catch (Exception exc) {
                throw new IllegalStateException(exc);
            }
        }

        @SuppressWarnings("unchecked")
        private Map<String, DataHandler> inboundAttachments() {
            Object found = context.getMessageContext().get(MessageContext.INBOUND_MESSAGE_ATTACHMENTS);
            return found instanceof Map<?, ?> map ? (Map<String, DataHandler>) map : Map.of();
        }

        private List<String> actions() {
            List<String> names = new ArrayList<>();
            Object results = context.getMessageContext().get(WSHandlerConstants.RECV_RESULTS);
            if (results instanceof List<?> list) {
                for (Object handlerResult : list) {
                    for (WSSecurityEngineResult result : ((WSHandlerResult) handlerResult).getResults()) {
                        names.add(actionName((Integer) result.get(WSSecurityEngineResult.TAG_ACTION)));
                    }
                }
            }
            return names;
        }
    }

    /** Where the Provider leaves a download's binary part for the out chain to attach. */
    static final String ATTACHMENT = "altinn2codegen.attachment";

    /** Adds the Provider's binary part (if any) to the response's attachments. */
    static final class Attaching extends AbstractPhaseInterceptor<Message> {
        Attaching() {
            super(Phase.PRE_STREAM);
            addBefore(AttachmentOutInterceptor.class.getName());
        }

        @Override
        public void handleMessage(Message message) {
            Attachment part = (Attachment) message.getExchange().get(ATTACHMENT);
            if (part == null) {
                return;
            }
            Collection<Attachment> attachments = message.getAttachments();
            if (attachments == null) {
                attachments = new ArrayList<>();
                message.setAttachments(attachments);
            }
            attachments.add(part);
        }
    }

    static String firstText(Element element, String... names) {
        for (String name : names) {
            org.w3c.dom.NodeList found = element.getElementsByTagNameNS("*", name);
            if (found.getLength() > 0) {
                return found.item(0).getTextContent();
            }
        }
        return null;
    }

    static String describe(DataHandler data) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long size = 0;
        byte[] buffer = new byte[65536];
        try (InputStream in = data.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; size += n) {
                digest.update(buffer, 0, n);
            }
        }
        return size + ":" + HexFormat.of().formatHex(digest.digest());
    }

    static byte[] testContent(int length) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 32);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (long counter = 0; out.size() < length; counter++) {
            out.write(digest.digest(ByteBuffer.allocate(8).putLong(counter).array()));
        }
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, length);
    }

    static String actionName(int action) {
        switch (action) {
            case WSConstants.SIGN: return "SIGN";
            case WSConstants.TS: return "TS";
            case WSConstants.BST: return "BST";
            case WSConstants.SCT: return "SCT";
            case WSConstants.DKT: return "DKT";
            case WSConstants.SC: return "SC";
            default: return "action-" + action;
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            serve(args);
        } catch (Exception exc) {
            // Jetty's threads would keep the JVM alive: say what failed and stop.
            System.out.println("FAILED " + exc);
            exc.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    static void serve(String[] args) throws Exception {
        if (args.length < 7 || (args.length - 3) % 4 != 0) {
            System.err.println("usage: CxfEcServer SERVER.p12 PASSWORD CA.pem (WSDL SERVICE PORT URL)...");
            System.exit(2);
        }
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        char[] password = args[1].toCharArray();
        KeyStore serverKeys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(args[0])) {
            serverKeys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(serverKeys, password);
        TLSServerParameters tls = new TLSServerParameters();
        tls.setKeyManagers(keyManagers.getKeyManagers());

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (FileInputStream ca = new FileInputStream(args[2])) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(ca);
            trust.setCertificateEntry("ca", cert);
        }
        Merlin crypto = new Merlin();
        crypto.setTrustStore(trust);

        Bus bus = BusFactory.getDefaultBus();
        JettyHTTPServerEngineFactory engines = bus.getExtension(JettyHTTPServerEngineFactory.class);
        for (int i = 3; i < args.length; i += 4) {
            String wsdl = new java.io.File(args[i]).toURI().toString();
            URI url = URI.create(args[i + 3]);
            if (engines.retrieveJettyHTTPServerEngine(url.getPort()) == null) {
                engines.setTLSServerParametersForPort(url.getHost(), url.getPort(), tls);
            }
            JaxWsServerFactoryBean factory = new JaxWsServerFactoryBean();
            factory.setBus(bus);
            factory.setServiceClass(Answering.class);
            factory.setServiceBean(new Answering());
            factory.setWsdlLocation(wsdl);
            factory.setServiceName(QName.valueOf(args[i + 1]));
            factory.setEndpointName(QName.valueOf(args[i + 2]));
            factory.setAddress(url.toString());
            // The bootstrap signature's certificate must chain to the test CA.
            factory.getProperties(true).put("security.signature.crypto", crypto);
            // A WCF transport binding keeps no replay cache of Timestamps (every one is "_0", to
            // the millisecond): neither does this peer, or concurrent calls made in the same
            // millisecond would pass for replays of each other.
            factory.getProperties(true).put("ws-security.enable.timestamp.cache", "false");
            // A streamed (MTOM) WSDL: MTOM on both ways, as its policy says.
            String text = Files.readString(Paths.get(args[i]), StandardCharsets.UTF_8);
            if (text.contains("OptimizedMimeSerialization")) {
                factory.getProperties(true).put("mtom-enabled", Boolean.TRUE);
                factory.getOutInterceptors().add(new Attaching());
            }
            factory.create();
        }

        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // runs until the test closes stdin
        }
        bus.shutdown(true);
    }
}

/*
 * An independent check of the RST/SCT the runtime signs with the enterprise certificate.
 *
 * WSS4J (signature verification by Apache Santuario) processes each file's wsse:Security header
 * as a WS-SecureConversation service would: the BinarySecurityToken, the RSA-SHA1 signature with
 * exclusive c14n (the certificate must chain to the CA given), the Timestamp strictly. On top of
 * WSS4J: the signature must cover the Timestamp and the WS-Addressing To header.
 *
 * Usage: java altinn2codegen.RstVerifier CA.pem FILE...
 * Prints "OK FILE" and the signature's algorithms and signed elements, or "REJECTED FILE: reason".
 * Exit 0 only if every file was accepted.
 */

package altinn2codegen;

import java.io.File;
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.wss4j.common.crypto.Merlin;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.WSDataRef;
import org.apache.wss4j.dom.engine.WSSConfig;
import org.apache.wss4j.dom.engine.WSSecurityEngine;
import org.apache.wss4j.dom.engine.WSSecurityEngineResult;
import org.apache.wss4j.dom.handler.RequestData;
import org.apache.wss4j.dom.util.WSSecurityUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class RstVerifier {

    private static final QName TO = new QName("http://www.w3.org/2005/08/addressing", "To");
    private static final QName TIMESTAMP = new QName(WSConstants.WSU_NS, "Timestamp");

    private RstVerifier() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RstVerifier CA.pem FILE...");
            System.exit(2);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (FileInputStream ca = new FileInputStream(args[0])) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(ca);
            trust.setCertificateEntry("ca", cert);
        }
        Merlin crypto = new Merlin();
        crypto.setTrustStore(trust);

        boolean allAccepted = true;
        for (int i = 1; i < args.length; i++) {
            String file = args[i];
            try {
                for (String line : verify(new File(file), crypto)) {
                    System.out.println(line);
                }
            } catch (Exception exc) {
                allAccepted = false;
                System.out.println("REJECTED " + file + ": " + exc.getClass().getSimpleName() + ": " + exc.getMessage());
            }
        }
        System.out.flush();
        System.exit(allAccepted ? 0 : 1);
    }

    static List<String> verify(File file, Merlin crypto) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        Document doc = factory.newDocumentBuilder().parse(file);
        Element security = WSSecurityUtil.getSecurityHeader(doc, null);
        if (security == null) {
            throw new IllegalStateException("no wsse:Security header");
        }
        RequestData data = new RequestData();
        data.setWssConfig(WSSConfig.getNewInstance());
        data.setSigVerCrypto(crypto);
        data.setTimeStampStrict(true);
        List<WSSecurityEngineResult> results = new WSSecurityEngine().processSecurityHeader(security, data).getResults();

        List<String> lines = new ArrayList<>();
        lines.add("OK " + file);
        boolean signedTimestamp = false;
        boolean signedTo = false;
        for (WSSecurityEngineResult result : results) {
            int action = (Integer) result.get(WSSecurityEngineResult.TAG_ACTION);
            if (action == WSConstants.SIGN) {
                @SuppressWarnings("unchecked")
                List<WSDataRef> refs = (List<WSDataRef>) result.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
                List<String> names = new ArrayList<>();
                for (WSDataRef ref : refs) {
                    names.add(ref.getName().getLocalPart());
                    signedTimestamp |= TIMESTAMP.equals(ref.getName());
                    signedTo |= TO.equals(ref.getName());
                }
                X509Certificate cert = (X509Certificate) result.get(WSSecurityEngineResult.TAG_X509_CERTIFICATE);
                lines.add("  Signature method=" + result.get(WSSecurityEngineResult.TAG_SIGNATURE_METHOD)
                    + " c14n=" + result.get(WSSecurityEngineResult.TAG_CANONICALIZATION_METHOD)
                    + " signed=" + String.join(",", names)
                    + " reference=" + result.get(WSSecurityEngineResult.TAG_X509_REFERENCE_TYPE)
                    + " subject=" + cert.getSubjectX500Principal().getName());
            } else if (action == WSConstants.TS) {
                lines.add("  Timestamp");
            } else if (action == WSConstants.BST) {
                lines.add("  BinarySecurityToken");
            } else {
                lines.add("  action " + action);
            }
        }
        if (!signedTimestamp || !signedTo) {
            throw new IllegalStateException("the signature does not cover both the Timestamp and To");
        }
        return lines;
    }
}

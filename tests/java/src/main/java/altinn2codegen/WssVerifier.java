/*
 * An independent check of the WS-Security header the altinn2 client sends on WS calls.
 *
 * Apache WSS4J (org.apache.wss4j.*, from Maven Central) processes each envelope's wsse:Security header as a
 * service would: the UsernameToken's PasswordText is checked against the expected password through
 * a CallbackHandler, the Timestamp strictly (expired or stale: rejected), and a nonce seen before
 * (replay cache shared by all files of one run) is rejected. On top of WSS4J, what Altinn's WS
 * binding expects of the token: mustUnderstand on the header, exactly one UsernameToken with
 * PasswordText, a Nonce and a wsu:Created, and exactly one Timestamp with Created and Expires.
 *
 * Usage: java altinn2codegen.WssVerifier USER PASSWORD FILE...
 * Prints "OK FILE" with the processed results, or "REJECTED FILE: reason", per file. Exit 0 only
 * if every file was accepted; 1 if any was rejected; 2 on a usage error.
 */

package altinn2codegen;

import java.io.File;
import java.util.Base64;
import java.util.List;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.wss4j.common.cache.MemoryReplayCache;
import org.apache.wss4j.common.ext.WSPasswordCallback;
import org.apache.wss4j.dom.WSConstants;
import org.apache.wss4j.dom.engine.WSSConfig;
import org.apache.wss4j.dom.engine.WSSecurityEngine;
import org.apache.wss4j.dom.engine.WSSecurityEngineResult;
import org.apache.wss4j.dom.handler.RequestData;
import org.apache.wss4j.dom.message.token.Timestamp;
import org.apache.wss4j.dom.message.token.UsernameToken;
import org.apache.wss4j.dom.util.WSSecurityUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class WssVerifier {

    private static final String SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
    private static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";

    private WssVerifier() {
    }

    static final class Rejected extends Exception {
        Rejected(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: WssVerifier USER PASSWORD FILE...");
            System.exit(2);
        }
        final String user = args[0];
        final String password = args[1];
        CallbackHandler passwords = (Callback[] callbacks) -> {
            for (Callback callback : callbacks) {
                if (!(callback instanceof WSPasswordCallback)) {
                    throw new UnsupportedCallbackException(callback);
                }
                WSPasswordCallback pc = (WSPasswordCallback) callback;
                if (pc.getUsage() != WSPasswordCallback.USERNAME_TOKEN) {
                    throw new UnsupportedCallbackException(callback, "unexpected usage");
                }
                if (user.equals(pc.getIdentifier())) {
                    pc.setPassword(password); // WSS4J compares it with the token's PasswordText
                }
            }
        };

        WSSConfig config = WSSConfig.getNewInstance();
        WSSecurityEngine engine = new WSSecurityEngine();
        engine.setWssConfig(config);
        MemoryReplayCache nonces = new MemoryReplayCache();
        MemoryReplayCache timestamps = new MemoryReplayCache();

        boolean allAccepted = true;
        for (int i = 2; i < args.length; i++) {
            String file = args[i];
            try {
                List<WSSecurityEngineResult> results = verify(
                    new File(file), engine, config, passwords, nonces, timestamps, user);
                System.out.println("OK " + file);
                for (WSSecurityEngineResult result : results) {
                    System.out.println("  " + describe(result));
                }
            } catch (Rejected exc) {
                allAccepted = false;
                System.out.println("REJECTED " + file + ": " + exc.getMessage());
            } catch (Exception exc) {
                allAccepted = false;
                System.out.println("REJECTED " + file + ": " + exc.getClass().getSimpleName()
                    + ": " + exc.getMessage());
            }
        }
        System.out.flush();
        System.exit(allAccepted ? 0 : 1);
    }

    static List<WSSecurityEngineResult> verify(
        File file,
        WSSecurityEngine engine,
        WSSConfig config,
        CallbackHandler passwords,
        MemoryReplayCache nonces,
        MemoryReplayCache timestamps,
        String user
    ) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setExpandEntityReferences(false);
        Document doc = factory.newDocumentBuilder().parse(file);

        String soap = doc.getDocumentElement().getNamespaceURI();
        if (!SOAP12.equals(soap) && !SOAP11.equals(soap)) {
            throw new Rejected("not a SOAP envelope: " + soap);
        }
        Element security = WSSecurityUtil.getSecurityHeader(doc, null);
        if (security == null) {
            throw new Rejected("no wsse:Security header");
        }
        String mustUnderstand = security.getAttributeNS(soap, "mustUnderstand");
        if (!"1".equals(mustUnderstand) && !"true".equals(mustUnderstand)) {
            throw new Rejected("wsse:Security is not mustUnderstand (got '" + mustUnderstand + "')");
        }

        RequestData data = new RequestData();
        data.setWssConfig(config);
        data.setTimeStampStrict(true); // an expired Timestamp is an error
        data.setTimeStampTTL(300); // Created at most 5 minutes old
        data.setTimeStampFutureTTL(60);
        data.setUtTTL(300); // the UsernameToken's Created too
        data.setUtFutureTTL(60);
        data.setRequiredPasswordType(WSConstants.PASSWORD_TEXT);
        data.setAllowUsernameTokenNoPassword(false);
        data.setCallbackHandler(passwords);
        data.setNonceReplayCache(nonces);
        data.setTimestampReplayCache(timestamps);
        List<WSSecurityEngineResult> results = engine.processSecurityHeader(security, data).getResults();
        if (results == null || results.isEmpty()) {
            throw new Rejected("WSS4J found nothing to process in wsse:Security");
        }

        UsernameToken token = null;
        Timestamp timestamp = null;
        for (WSSecurityEngineResult result : results) {
            int action = (Integer) result.get(WSSecurityEngineResult.TAG_ACTION);
            if (action == WSConstants.UT) {
                if (token != null) {
                    throw new Rejected("more than one UsernameToken");
                }
                token = (UsernameToken) result.get(WSSecurityEngineResult.TAG_USERNAME_TOKEN);
            } else if (action == WSConstants.TS) {
                if (timestamp != null) {
                    throw new Rejected("more than one Timestamp");
                }
                timestamp = (Timestamp) result.get(WSSecurityEngineResult.TAG_TIMESTAMP);
            } else {
                throw new Rejected("unexpected security result, action " + action);
            }
        }
        if (token == null) {
            throw new Rejected("no UsernameToken was validated");
        }
        if (!WSConstants.PASSWORD_TEXT.equals(token.getPasswordType())) {
            throw new Rejected("the password is not PasswordText: " + token.getPasswordType());
        }
        if (!user.equals(token.getName())) {
            throw new Rejected("unexpected user name " + token.getName());
        }
        if (token.getNonce() == null || token.getNonce().isEmpty()) {
            throw new Rejected("the UsernameToken has no Nonce");
        }
        byte[] nonce = Base64.getDecoder().decode(token.getNonce().trim());
        if (nonce.length < 16) {
            throw new Rejected("the Nonce has only " + nonce.length + " bytes");
        }
        if (token.getCreated() == null || token.getCreatedDate() == null) {
            throw new Rejected("the UsernameToken has no wsu:Created");
        }
        if (timestamp == null) {
            throw new Rejected("no Timestamp was validated");
        }
        if (timestamp.getCreated() == null || timestamp.getExpires() == null) {
            throw new Rejected("the Timestamp lacks Created or Expires");
        }
        if (!timestamp.getExpires().isAfter(timestamp.getCreated())) {
            throw new Rejected("the Timestamp expires before it was created");
        }
        return results;
    }

    static String describe(WSSecurityEngineResult result) {
        int action = (Integer) result.get(WSSecurityEngineResult.TAG_ACTION);
        if (action == WSConstants.UT) {
            UsernameToken token = (UsernameToken) result.get(WSSecurityEngineResult.TAG_USERNAME_TOKEN);
            return "UsernameToken user=" + token.getName() + " type=" + token.getPasswordType()
                + " nonce=" + token.getNonce() + " created=" + token.getCreated()
                + " id=" + token.getID() + " principal=" + result.get(WSSecurityEngineResult.TAG_PRINCIPAL);
        }
        if (action == WSConstants.TS) {
            Timestamp timestamp = (Timestamp) result.get(WSSecurityEngineResult.TAG_TIMESTAMP);
            return "Timestamp created=" + timestamp.getCreated()
                + " expires=" + timestamp.getExpires() + " id=" + timestamp.getID();
        }
        return "action " + action + ": " + result.keySet();
    }
}

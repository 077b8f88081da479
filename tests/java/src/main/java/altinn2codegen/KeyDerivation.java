/*
 * Known answers for the runtime's P_SHA1, computed key and derived keys, computed by WSS4J's own
 * classes (org.apache.wss4j.common.derivedKey), as CXF uses them.
 *
 * Reads one case per line from standard input, hex arguments, and prints one hex line per case:
 *   psha1 SECRET SEED OFFSET LENGTH   P_SHA1.createKey(secret, seed, offset, length)
 *   ck CLIENT SERVER BITS            the WS-Trust CK/PSHA1 key, as CXF's STS client computes it
 *   dk SECRET NONCE OFFSET LENGTH    DerivedKeyUtils.deriveKey with the default label
 *   dklabel LABEL SECRET NONCE OFFSET LENGTH   the same with an explicit (ASCII) label
 */

package altinn2codegen;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.apache.wss4j.common.derivedKey.DerivedKeyUtils;
import org.apache.wss4j.common.derivedKey.P_SHA1;

public final class KeyDerivation {

    private static final String DK_PSHA1 = "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1";

    private KeyDerivation() {
    }

    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.of();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            byte[] key;
            switch (f[0]) {
                case "psha1":
                    key = new P_SHA1().createKey(
                        hex.parseHex(f[1]), hex.parseHex(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]));
                    break;
                case "ck":
                    key = new P_SHA1().createKey(
                        hex.parseHex(f[1]), hex.parseHex(f[2]), 0, Integer.parseInt(f[3]) / 8);
                    break;
                case "dk":
                    key = DerivedKeyUtils.deriveKey(DK_PSHA1, null, Integer.parseInt(f[4]),
                        hex.parseHex(f[1]), hex.parseHex(f[2]), Integer.parseInt(f[3]));
                    break;
                case "dklabel":
                    key = DerivedKeyUtils.deriveKey(DK_PSHA1, f[1], Integer.parseInt(f[5]),
                        hex.parseHex(f[2]), hex.parseHex(f[3]), Integer.parseInt(f[4]));
                    break;
                default:
                    throw new IllegalArgumentException("unknown case " + f[0]);
            }
            System.out.println(hex.formatHex(key));
        }
    }
}

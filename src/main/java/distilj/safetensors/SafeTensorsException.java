package distilj.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or written. The message is one line that names the file and, where one is
 * involved, the tensor: {@code model.safetensors: tensor "x.weight": data_offsets [0, 12] hold 12 bytes but F32[2, 2]
 * needs 16}. Every problem the reader finds in a file ends in this exception and nothing else.
 */
public final class SafeTensorsException extends IOException {
    public SafeTensorsException(String message) {
        super(message);
    }

    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }

    static SafeTensorsException header(Path file, String problem) {
        return new SafeTensorsException(file + ": " + problem);
    }

    static SafeTensorsException tensor(Path file, String tensor, String problem) {
        return new SafeTensorsException(file + ": tensor \"" + printable(tensor) + "\": " + problem);
    }

    /** A name from an untrusted file, cut short and with control characters escaped, so the message stays one line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= 200) b.append("...");
        return b.toString();
    }
}

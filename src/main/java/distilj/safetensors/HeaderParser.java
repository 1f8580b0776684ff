package distilj.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a safetensors header, token by token, straight into {@link TensorInfo}s.
 *
 * <p>Streaming rather than building a JSON tree: a 100 MB header can hold about 1.7 million entries, and a tree of
 * them needs gigabytes (this was a real out-of-memory on a 1 GB heap), while a TensorInfo is a hundred-odd bytes.
 * Nothing is recursed into: any value that is not the expected shape is an error at once, so nesting depth cannot
 * matter. The bytes are decoded as strict UTF-8 (no encoding sniffing: a UTF-16 header is not valid).
 */
final class HeaderParser {
    private HeaderParser() {}

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)           // a real header nests 3 deep
                    .maxNumberLength(64)
                    .maxStringLength((int) SafeTensors.MAX_HEADER_BYTES)
                    .maxNameLength((int) SafeTensors.MAX_HEADER_BYTES)
                    .build())
            .build();

    static final class Header {
        final Map<String, String> metadata = new LinkedHashMap<>();
        final List<TensorInfo> tensors = new ArrayList<>();
    }

    static Header parse(Path file, byte[] bytes, long dataStart) throws SafeTensorsException {
        if (bytes[0] != '{') throw SafeTensorsException.header(file, "header does not start with '{'");
        Header h = new Header();
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (JsonParser p = FACTORY.createParser(new InputStreamReader(new ByteArrayInputStream(bytes), decoder))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw SafeTensorsException.header(file, "header is not a JSON object");
            Map<String, TensorInfo> seen = new HashMap<>();
            boolean metadata = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("__metadata__")) {
                    if (metadata) throw SafeTensorsException.header(file, "header names '__metadata__' twice");
                    metadata = true;
                    readMetadata(file, p, h.metadata);
                } else {
                    TensorInfo info = readEntry(file, p, name, dataStart);
                    if (seen.putIfAbsent(name, info) != null) {
                        throw SafeTensorsException.header(file, "header names '" + SafeTensorsException.printable(name) + "' twice");
                    }
                    h.tensors.add(info);
                }
            }
            if (t != JsonToken.END_OBJECT) throw SafeTensorsException.header(file, "header is not a JSON object");
            if (p.nextToken() != null) throw SafeTensorsException.header(file, "header has content after its JSON object");
        } catch (SafeTensorsException e) {
            throw e;
        } catch (CharacterCodingException e) {
            throw SafeTensorsException.header(file, "header is not valid UTF-8");
        } catch (JsonProcessingException e) {
            throw SafeTensorsException.header(file, "header is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw SafeTensorsException.header(file, "header is not valid JSON: " + firstLine(e.getMessage()));
        }
        return h;
    }

    private static void readMetadata(Path file, JsonParser p, Map<String, String> out) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw SafeTensorsException.header(file, "__metadata__ is not a JSON object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw SafeTensorsException.header(file, "__metadata__ value of \"" + SafeTensorsException.printable(k) + "\" is not a string");
            }
            if (out.put(k, p.getText()) != null) {
                throw SafeTensorsException.header(file, "__metadata__ names '" + SafeTensorsException.printable(k) + "' twice");
            }
        }
    }

    private static TensorInfo readEntry(Path file, JsonParser p, String name, long dataStart) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) throw SafeTensorsException.tensor(file, name, "entry is not a JSON object");
        String dtypeText = null;
        long[] shape = null, offsets = null;
        Set<String> fields = new HashSet<>(4);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            if (!fields.add(k)) throw SafeTensorsException.tensor(file, name, "names field '" + SafeTensorsException.printable(k) + "' twice");
            JsonToken v = p.nextToken();
            switch (k) {
                case "dtype":
                    if (v != JsonToken.VALUE_STRING) throw SafeTensorsException.tensor(file, name, "dtype is not a string");
                    dtypeText = p.getText();
                    break;
                case "shape":
                    if (v != JsonToken.START_ARRAY) throw SafeTensorsException.tensor(file, name, "shape is not an array");
                    shape = integers(file, p, name, "shape");
                    break;
                case "data_offsets":
                    if (v != JsonToken.START_ARRAY) throw SafeTensorsException.tensor(file, name, "data_offsets is not an array [begin, end]");
                    offsets = integers(file, p, name, "data_offsets");
                    if (offsets.length != 2) throw SafeTensorsException.tensor(file, name, "data_offsets is not an array [begin, end]");
                    break;
                default:
                    throw SafeTensorsException.tensor(file, name, "unknown field \"" + SafeTensorsException.printable(k) + "\"");
            }
        }
        if (dtypeText == null || shape == null || offsets == null) {
            throw SafeTensorsException.tensor(file, name, "entry needs dtype, shape and data_offsets");
        }
        DType dtype = DType.parse(dtypeText);
        if (dtype == null) {
            String what = DType.OTHER_KNOWN.contains(dtypeText) ? "dtype \"" + dtypeText + "\" is not supported by distilj"
                    : "unknown dtype \"" + SafeTensorsException.printable(dtypeText) + "\"";
            throw SafeTensorsException.tensor(file, name, what);
        }
        long elements = 1;
        for (long d : shape) elements = multiply(file, name, elements, d, shape);
        long nbytes = multiply(file, name, elements, dtype.bytes, shape);
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw SafeTensorsException.tensor(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end - begin != nbytes) {
            throw SafeTensorsException.tensor(file, name, "data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but " + dtype + shapeText(shape) + " needs " + nbytes);
        }
        if (end > Long.MAX_VALUE - dataStart) {
            throw SafeTensorsException.tensor(file, name, "data_offsets [" + begin + ", " + end + "] are beyond any file");
        }
        return new TensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    /** The rest of an array whose START_ARRAY is current: non-negative integers that fit a long. */
    private static long[] integers(Path file, JsonParser p, String name, String field) throws IOException {
        long[] out = new long[4];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            boolean ok = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                    && p.getLongValue() >= 0 && !p.getText().startsWith("-"); // "-0" too, as the reference
            if (!ok) {
                String shown = t == JsonToken.START_ARRAY ? "[...]" : t == JsonToken.START_OBJECT ? "{...}" : p.getText();
                if (shown.length() > 60) shown = shown.substring(0, 60) + "...";
                throw SafeTensorsException.tensor(file, name, field + " holds " + SafeTensorsException.printable(shown)
                        + ", not a non-negative integer");
            }
            if (n == out.length) out = Arrays.copyOf(out, 2 * n);
            out[n++] = p.getLongValue();
        }
        return Arrays.copyOf(out, n);
    }

    private static long multiply(Path file, String name, long a, long b, long[] shape) throws SafeTensorsException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw SafeTensorsException.tensor(file, name, "shape " + shapeText(shape) + " is too large");
        }
    }

    static String shapeText(long[] shape) {
        String s = Arrays.toString(shape).replace(" ", "");
        return s.length() > 120 ? s.substring(0, 120) + "...]" : s;
    }

    static String firstLine(String m) {
        if (m == null) return "unreadable";
        int nl = m.indexOf('\n');
        String s = nl < 0 ? m : m.substring(0, nl);
        int hint = s.indexOf(": enable "); // Jackson's advice to enable a parser feature is not for our users
        if (hint > 0) s = s.substring(0, hint);
        return SafeTensorsException.printable(s.strip());
    }
}

package distilj.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the reader with generated files: valid ones (which must load, with the right values), and ones broken in
 * every way the format can break (truncated, extended, bit flips in the length or header, boundary numbers, shifted
 * offsets, random and deeply nested JSON, bad UTF-8). Every case must end in a successful read or a
 * {@link SafeTensorsException} whose message names the file, within a time bound; any other Throwable (including
 * OutOfMemoryError) fails the test, and the failing file is kept under target/fuzz-failures/.
 *
 * <p>{@code -Ddistilj.fuzz.seed=N} replays a run (the seed is printed; by default it changes every run, so CI keeps
 * exploring), {@code -Ddistilj.fuzz.cases=N} sets the count (default 12,000).
 */
class SafeTensorsFuzzTest {
    @TempDir Path dir;

    static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "U16", "U32", "U64",
            "F8_E4M3", "F8_E5M2"};
    static final String[] BAD_DTYPES = {"F33", "f32", "", "F4", "C64", "FLOAT", "F32 ", "\u0000", "I128"};
    static final String[] BOUNDARY_NUMBERS = {"-1", "0", "1", "7", "8", "-0", "4294967295", "4294967296", "2147483647",
            "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551615",
            "18446744073709551616", "1e308", "1e309", "0.5", "1.0", "1e2", "NaN", "Infinity", "-Infinity", "null", "true",
            "\"8\"", "[]", "{}", "1".repeat(70), "99999999999999999999", "0x10", "01"};

    /** A generated file and what it must do. */
    static final class Case {
        final String kind;
        final byte[] bytes;
        final Boolean mustLoad; // true: must load; false: must be rejected; null: either, but cleanly
        final Map<String, float[]> expect;

        Case(String kind, byte[] bytes, Boolean mustLoad, Map<String, float[]> expect) {
            this.kind = kind;
            this.bytes = bytes;
            this.mustLoad = mustLoad;
            this.expect = expect;
        }
    }

    /** A valid file, as the generator builds it: header JSON text, data buffer, expected F32 values. */
    static final class Valid {
        String header;
        byte[] buffer;
        final Map<String, float[]> f32 = new TreeMap<>();

        byte[] bytes() {
            return SafeTensorsTest.file(header, buffer);
        }
    }

    static Valid valid(Random r) {
        Valid v = new Valid();
        int n = r.nextInt(7);
        StringBuilder h = new StringBuilder("{");
        if (r.nextBoolean()) h.append("\"__metadata__\":{\"format\":\"pt\"").append(r.nextBoolean() ? ",\"k\":\"v\\u00e9\"" : "").append("},");
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        List<String> entries = new ArrayList<>();
        long offset = 0;
        for (int t = 0; t < n; t++) {
            String dt = DTYPES[r.nextInt(DTYPES.length)];
            int size = DType.parse(dt).bytes;
            int rank = r.nextInt(4);
            int[] shape = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(5);
                count *= shape[i];
            }
            byte[] data = new byte[(int) (count * size)];
            String name = "t" + t + (r.nextInt(5) == 0 ? ".wéight\\n" : ".weight");
            if (dt.equals("F32")) {
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                float[] vals = new float[(int) count];
                for (int i = 0; i < count; i++) {
                    vals[i] = (float) r.nextGaussian();
                    b.putFloat(vals[i]);
                }
                v.f32.put(name.replace("\\n", "\n"), vals);
            } else {
                r.nextBytes(data);
            }
            buf.writeBytes(data);
            entries.add("\"" + name + "\":{\"dtype\":\"" + dt + "\",\"shape\":" + Arrays.toString(shape).replace(" ", "")
                    + ",\"data_offsets\":[" + offset + "," + (offset + data.length) + "]}");
            offset += data.length;
        }
        // entries may be listed in any order: the offsets decide the layout
        java.util.Collections.shuffle(entries, r);
        h.append(String.join(",", entries));
        if (h.charAt(h.length() - 1) == ',') h.setLength(h.length() - 1);
        h.append('}');
        h.append(" ".repeat(r.nextInt(9)));
        v.header = h.toString();
        v.buffer = buf.toByteArray();
        return v;
    }

    static final Pattern NUMBER = Pattern.compile("-?\\d+");

    static Case generate(Random r) {
        Valid v = valid(r);
        byte[] ok = v.bytes();
        int kind = r.nextInt(13);
        switch (kind) {
            case 0:
                return new Case("valid", ok, true, v.f32);
            case 1: { // truncated anywhere
                return new Case("truncated", Arrays.copyOf(ok, r.nextInt(ok.length)), false, null);
            }
            case 2: { // trailing bytes
                byte[] more = Arrays.copyOf(ok, ok.length + 1 + r.nextInt(16));
                return new Case("extended", more, false, null);
            }
            case 3: { // bit flips in the header
                byte[] b = ok.clone();
                int hl = v.header.getBytes(StandardCharsets.UTF_8).length;
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    int at = 8 + r.nextInt(hl);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                return new Case("header-bitflip", b, null, null);
            }
            case 4: { // bit flips anywhere, the length field included
                byte[] b = ok.clone();
                for (int k = 1 + r.nextInt(3); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                return new Case("bitflip", b, null, null);
            }
            case 5: { // one number of the header replaced by a boundary value
                Matcher m = NUMBER.matcher(v.header);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                if (spans.isEmpty()) return new Case("valid", ok, true, v.f32);
                int[] s = spans.get(r.nextInt(spans.size()));
                String h = v.header.substring(0, s[0]) + BOUNDARY_NUMBERS[r.nextInt(BOUNDARY_NUMBERS.length)] + v.header.substring(s[1]);
                return new Case("boundary-number", SafeTensorsTest.file(h, v.buffer), null, null);
            }
            case 6: { // the length field set to a boundary value
                long[] lens = {0, 1, 2, 7, 8, v.header.length() - 1, v.header.length() + 1, ok.length, ok.length - 8,
                        100_000_000L, 100_000_001L, Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, -1L, Long.MIN_VALUE};
                byte[] b = ok.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lens[r.nextInt(lens.length)]);
                return new Case("length-field", b, null, null);
            }
            case 7: { // textual edits: delete, insert, duplicate a key
                String h = v.header;
                int op = r.nextInt(4);
                if (op == 0 && h.length() > 1) {
                    int at = r.nextInt(h.length());
                    h = h.substring(0, at) + h.substring(at + 1);
                } else if (op == 1) {
                    int at = r.nextInt(h.length() + 1);
                    String chars = "{}[],:\"\\ 0-e.";
                    String ins = chars.charAt(r.nextInt(chars.length())) + "";
                    h = h.substring(0, at) + ins + h.substring(at);
                } else if (op == 2) {
                    int a = h.indexOf("\"t"), e = h.indexOf("]}", a);
                    if (a > 0 && e > 0) h = h.substring(0, h.length() - 1).stripTrailing() + "," + h.substring(a, e + 2) + "}";
                } else {
                    h = h.replaceFirst("\"(F32|F16|BF16|F64|I64|I32|I16|I8|U8|BOOL|U16|U32|U64|F8_E4M3|F8_E5M2)\"",
                            Matcher.quoteReplacement("\"" + (r.nextBoolean() ? BAD_DTYPES[r.nextInt(BAD_DTYPES.length)]
                                    : DTYPES[r.nextInt(DTYPES.length)]) + "\""));
                }
                return new Case("text-edit", SafeTensorsTest.file(h, v.buffer), null, null);
            }
            case 8: { // random JSON
                StringBuilder sb = new StringBuilder();
                randomJson(r, sb, 0);
                byte[] buf = new byte[r.nextInt(64)];
                return new Case("random-json", SafeTensorsTest.file(sb.toString(), buf), null, null);
            }
            case 9: { // deep nesting
                int depth = 50 + r.nextInt(5000);
                String h = "{\"a\":" + "[".repeat(depth) + "]".repeat(r.nextBoolean() ? depth : depth / 2) + "}";
                return new Case("deep-json", SafeTensorsTest.file(h, new byte[0]), false, null);
            }
            case 10: { // shapes claiming vast sizes over a small buffer
                String dim = BOUNDARY_NUMBERS[r.nextInt(BOUNDARY_NUMBERS.length)];
                String h = "{\"w\":{\"dtype\":\"" + DTYPES[r.nextInt(DTYPES.length)] + "\",\"shape\":[" + dim + "," + dim
                        + "],\"data_offsets\":[0," + BOUNDARY_NUMBERS[r.nextInt(BOUNDARY_NUMBERS.length)] + "]}}";
                return new Case("vast-shape", SafeTensorsTest.file(h, new byte[r.nextInt(16)]), null, null);
            }
            case 11: { // bad encodings: BOM, UTF-16, lone surrogates, NUL
                String[] prefix = {"\ufeff", "", ""};
                byte[] h = (prefix[r.nextInt(3)] + v.header).getBytes(r.nextBoolean() ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_8);
                if (r.nextBoolean() && h.length > 2) h[r.nextInt(h.length)] = (byte) (0x80 | r.nextInt(0x80));
                ByteBuffer b = ByteBuffer.allocate(8 + h.length + v.buffer.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(h.length).put(h).put(v.buffer);
                return new Case("encoding", b.array(), null, null);
            }
            default: { // random bytes of random length
                byte[] b = new byte[r.nextInt(64)];
                r.nextBytes(b);
                if (b.length >= 8 && r.nextBoolean()) {
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, r.nextInt(b.length));
                }
                return new Case("random-bytes", b, null, null);
            }
        }
    }

    static void randomJson(Random r, StringBuilder sb, int depth) {
        int k = depth > 6 ? 3 + r.nextInt(4) : r.nextInt(7);
        switch (k) {
            case 0: {
                sb.append('{');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    String[] keys = {"dtype", "shape", "data_offsets", "__metadata__", "a", "a", "x"};
                    sb.append('"').append(keys[r.nextInt(keys.length)]).append("\":");
                    randomJson(r, sb, depth + 1);
                }
                sb.append('}');
                break;
            }
            case 1: {
                sb.append('[');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    randomJson(r, sb, depth + 1);
                }
                sb.append(']');
                break;
            }
            case 2:
                sb.append("{\"t\":{\"dtype\":\"F32\",\"shape\":");
                randomJson(r, sb, depth + 1);
                sb.append(",\"data_offsets\":");
                randomJson(r, sb, depth + 1);
                sb.append("}}");
                break;
            case 3:
                sb.append(BOUNDARY_NUMBERS[r.nextInt(BOUNDARY_NUMBERS.length)]);
                break;
            case 4:
                sb.append('"').append(DTYPES[r.nextInt(DTYPES.length)]).append('"');
                break;
            case 5:
                sb.append(r.nextBoolean() ? "true" : "null");
                break;
            default:
                sb.append(r.nextInt(100));
        }
    }

    /** Opens the file and reads every tensor; returns null on success or the exception's message. */
    static String exercise(Path p, Case c) throws SafeTensorsException {
        try (SafeTensors st = SafeTensors.open(p)) {
            for (TensorInfo t : st.tensors().values()) {
                if (t.dtype.isFloat()) {
                    float[] got = st.readFloat32(t.name);
                    if (c.expect != null && c.expect.containsKey(t.name)) {
                        if (!Arrays.equals(c.expect.get(t.name), got)) throw new AssertionError("wrong values for " + t.name);
                    }
                } else if (t.dtype != DType.U64 && t.dtype != DType.F8_E4M3 && t.dtype != DType.F8_E5M2) {
                    assertEquals(t.elements(), st.readInt64(t.name).length);
                }
            }
            if (c.expect != null) assertEquals(c.expect.keySet(), floatNames(st), "all F32 tensors present");
            return null;
        }
    }

    static java.util.Set<String> floatNames(SafeTensors st) {
        java.util.Set<String> s = new java.util.TreeSet<>();
        for (TensorInfo t : st.tensors().values()) if (t.dtype == DType.F32) s.add(t.name);
        return s;
    }

    @Test
    void tenThousandMalformedFilesEndInALoadOrACleanError() throws Exception {
        String seedProp = System.getProperty("distilj.fuzz.seed");
        long seed = seedProp != null && !seedProp.isBlank() ? Long.parseLong(seedProp) : System.nanoTime();
        int cases = Integer.getInteger("distilj.fuzz.cases", 12_000);
        System.err.println("SafeTensorsFuzzTest: seed " + seed + " (replay: -Ddistilj.fuzz.seed=" + seed + "), " + cases + " cases");
        Random r = new Random(seed);
        Path p = dir.resolve("fuzz.safetensors");
        Map<String, int[]> byKind = new TreeMap<>(); // kind -> {loaded, rejected}
        Map<String, Integer> reasons = new TreeMap<>();
        ExecutorService ex = Executors.newSingleThreadExecutor(t -> {
            Thread th = new Thread(t, "fuzz-case");
            th.setDaemon(true);
            return th;
        });
        // -Ddistilj.fuzz.corpus=DIR keeps every case and our verdict, for scripts/fuzz_differential.py
        String corpusProp = System.getProperty("distilj.fuzz.corpus");
        Path corpus = corpusProp == null || corpusProp.isBlank() ? null : Files.createDirectories(Path.of(corpusProp));
        StringBuilder verdicts = new StringBuilder();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < cases; i++) {
                Case c = generate(r);
                Files.write(p, c.bytes);
                Future<String> f = ex.submit(() -> {
                    try {
                        return exercise(p, c);
                    } catch (SafeTensorsException e) {
                        String m = e.getMessage();
                        if (!m.startsWith(p + ": ") || m.contains("\n")) throw new AssertionError("message must be one line naming the file: " + m);
                        return m;
                    }
                });
                String outcome;
                try {
                    outcome = f.get(10, TimeUnit.SECONDS); // a hang detector, not a speed test
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw keep(c, seed, i, "no result within 10 s (hang?)", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw keep(c, seed, i, "threw " + e.getCause(), e.getCause());
                }
                boolean loaded = outcome == null;
                if (c.mustLoad != null && c.mustLoad != loaded) {
                    throw keep(c, seed, i, c.mustLoad ? "valid file rejected: " + outcome : "broken file accepted", null);
                }
                byKind.computeIfAbsent(c.kind, k -> new int[2])[loaded ? 0 : 1]++;
                if (corpus != null) {
                    String name = String.format("case-%05d.safetensors", i);
                    Files.write(corpus.resolve(name), c.bytes);
                    verdicts.append(name).append('\t').append(c.kind).append('\t').append(loaded ? "ok" : "reject")
                            .append('\t').append(loaded ? "" : reason(outcome, p)).append('\n');
                }
                if (!loaded) reasons.merge(reason(outcome, p), 1, Integer::sum);
            }
        } finally {
            ex.shutdownNow();
        }
        if (corpus != null) Files.writeString(corpus.resolve("java-verdicts.tsv"), verdicts);
        double secs = (System.nanoTime() - start) / 1e9;
        StringBuilder sb = new StringBuilder(String.format("SafeTensorsFuzzTest: %d cases in %.1f s, no failure%n", cases, secs));
        byKind.forEach((k, v) -> sb.append(String.format("  %-16s loaded %5d  rejected %5d%n", k, v[0], v[1])));
        sb.append("  rejections by reason:\n");
        reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> sb.append(String.format("  %6d  %s%n", e.getValue(), e.getKey())));
        System.err.print(sb);
        assertTrue(byKind.values().stream().mapToInt(v -> v[0] + v[1]).sum() == cases);
    }

    /** The reason of a rejection without file, names and numbers, so that messages group. */
    static String reason(String m, Path p) {
        String s = m.substring(p.toString().length() + 2);
        s = s.replaceAll("tensor \"[^\"]*\": ", "").replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("\\d+", "N");
        return s.length() > 70 ? s.substring(0, 70) : s;
    }

    static AssertionError keep(Case c, long seed, int i, String what, Throwable cause) {
        try {
            Path d = Path.of("target", "fuzz-failures");
            Files.createDirectories(d);
            Path f = d.resolve("seed" + seed + "-case" + i + "-" + c.kind + ".safetensors");
            Files.write(f, c.bytes);
            what += " (file kept as " + f + ")";
        } catch (IOException ignored) {
            // the message still says which case
        }
        AssertionError e = new AssertionError("fuzz case " + i + " (" + c.kind + ", seed " + seed + "): " + what, cause);
        fail(e);
        return e;
    }
}

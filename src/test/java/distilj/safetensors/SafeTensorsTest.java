package distilj.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/checkpoint");

    /** A file of raw bytes: 8-byte length, header, buffer. */
    static byte[] file(String header, byte[] buffer) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + buffer.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(buffer);
        return b.array();
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    String reject(byte[] bytes) throws IOException {
        Path p = write("bad.safetensors", bytes);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> {
            try (SafeTensors st = SafeTensors.open(p)) {
                for (TensorInfo t : st.tensors().values()) if (t.dtype.isFloat()) st.readFloat32(t.name);
            }
        });
        String m = e.getMessage();
        assertTrue(m.startsWith(p.toString() + ": "), "names the file: " + m);
        assertTrue(!m.contains("\n"), "one line: " + m);
        return m;
    }

    @Test
    void readsWhatPythonSafetensorsWrote() throws IOException {
        JsonNode expect = new ObjectMapper().readTree(FIXTURES.resolve("dtypes.json").toFile());
        try (SafeTensors st = SafeTensors.open(FIXTURES.resolve("dtypes.safetensors"))) {
            assertEquals("pt", st.metadata().get("format"));
            assertEquals(expect.size(), st.tensors().size());
            for (Iterator<Map.Entry<String, JsonNode>> it = expect.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                TensorInfo t = st.tensor(e.getKey());
                JsonNode shape = e.getValue().get("shape");
                assertEquals(shape.size(), t.shape.length, e.getKey());
                for (int i = 0; i < t.shape.length; i++) assertEquals(shape.get(i).asLong(), t.shape[i], e.getKey());
                JsonNode values = e.getValue().get("values");
                if (t.dtype == DType.I64) {
                    long[] got = st.readInt64(e.getKey());
                    for (int i = 0; i < got.length; i++) assertEquals(values.get(i).asLong(), got[i]);
                    continue;
                }
                float[] got = st.readFloat32(e.getKey());
                assertEquals(values.size(), got.length, e.getKey());
                for (int i = 0; i < got.length; i++) {
                    float want = parse(values.get(i).asText());
                    // bit-exact, including -0.0 and infinities: F16/BF16 widen exactly, F64 rounds like torch
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), e.getKey() + "[" + i + "]");
                }
            }
        }
    }

    static float parse(String s) {
        switch (s) {
            case "inf": return Float.POSITIVE_INFINITY;
            case "-inf": return Float.NEGATIVE_INFINITY;
            case "nan": return Float.NaN;
            default: return (float) Double.parseDouble(s);
        }
    }

    @Test
    void halfToFloatIsExactForAll65536Patterns() {
        for (int bits = 0; bits < 65536; bits++) {
            int s = bits >>> 15, e = (bits >>> 10) & 31, m = bits & 1023;
            double want;
            if (e == 31) want = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            else if (e == 0) want = Math.scalb((double) m, -24);
            else want = Math.scalb(1.0 + m / 1024.0, e - 15);
            if (s == 1) want = -want;
            float got = Half.toFloat((short) bits);
            if (Double.isNaN(want)) assertTrue(Float.isNaN(got), "bits " + bits);
            else assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void writerRoundTripsAndAlignsLikeTheReference() throws IOException {
        Map<String, SafeTensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("z.weight", new SafeTensorsWriter.Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 7}));
        t.put("a.bias", new SafeTensorsWriter.Tensor(new int[] {1}, new float[] {42}));
        t.put("empty", new SafeTensorsWriter.Tensor(new int[] {0, 4}, new float[0]));
        Path p = dir.resolve("out.safetensors");
        SafeTensorsWriter.write(p, Map.of("format", "pt"), t);
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(Map.of("format", "pt"), st.metadata());
            // tensors in name order in the buffer
            assertEquals(java.util.List.of("a.bias", "empty", "z.weight"), java.util.List.copyOf(st.tensors().keySet()));
            assertArrayEquals(t.get("z.weight").data, st.readFloat32("z.weight"));
            assertArrayEquals(new float[] {42}, st.readFloat32("a.bias"));
            assertEquals(0, st.readFloat32("empty").length);
            assertEquals(0, st.dataStart() % 8, "the data buffer starts 8-byte aligned");
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void writerReplacesAtomicallyAndLeavesNoTempOnFailure() throws IOException {
        Path p = dir.resolve("m.safetensors");
        SafeTensorsWriter.write(p, Map.of("format", "pt"), Map.of("x", new SafeTensorsWriter.Tensor(new int[] {1}, new float[] {1})));
        byte[] before = Files.readAllBytes(p);
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(p, Map.of(),
                Map.of("__metadata__", new SafeTensorsWriter.Tensor(new int[] {1}, new float[] {2}))));
        assertArrayEquals(before, Files.readAllBytes(p), "the old file is untouched");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void rejectsEachBrokenPromiseWithTheTensorNamed() throws IOException {
        byte[] eight = new byte[8];
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertTrue(SafeTensors.open(write("ok.safetensors", file(ok, eight))).tensors().containsKey("a"));

        assertTrue(reject(new byte[5]).contains("truncated"));
        byte[] huge = new byte[16];
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertTrue(reject(huge).contains("18446744073709551615"), "absurd length named");
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        assertTrue(reject(huge).contains("limit"));
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 9L);
        assertTrue(reject(huge).contains("truncated"));
        assertTrue(reject(file("[1,2]", eight)).contains("start with '{'"));
        assertTrue(reject(file("{} x", eight)).contains("not valid JSON: Unrecognized token 'x'"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"dtype\":\"F32\"}}", eight)).contains("tensor \"a\": names field 'dtype' twice"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight)).contains("header names 'a' twice"));
        assertTrue(reject(file(ok.replace("F32", "F33"), eight)).contains("tensor \"a\": unknown dtype \"F33\""));
        assertTrue(reject(file(ok.replace("[2]", "[-2]"), eight)).contains("tensor \"a\": shape holds -2"));
        assertTrue(reject(file(ok.replace("[2]", "[2.0]"), eight)).contains("tensor \"a\""));
        assertTrue(reject(file(ok.replace("[2]", "[3]"), eight)).contains("tensor \"a\": data_offsets [0, 8] hold 8 bytes but F32[3] needs 12"));
        assertTrue(reject(file(ok.replace("[2]", "[4294967296,4294967296]"), eight)).contains("too large"));
        assertTrue(reject(file(ok, new byte[4])).contains("tensor \"a\": truncated file"));
        assertTrue(reject(file(ok, new byte[12])).contains("belong to no tensor"));
        assertTrue(reject(file(ok.replace("[0,8]", "[8,0]"), eight)).contains("end before"));
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(reject(file(two, new byte[12])).contains("tensor \"b\": data_offsets [4, 12] overlap tensor \"a\""));
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
        assertTrue(reject(file(gap, new byte[16])).contains("tensor \"b\": data_offsets [12, 16] leave a gap of 4 bytes after tensor \"a\""));
        assertTrue(reject(file("{\"__metadata__\":{\"format\":1}}", new byte[0])).contains("not a string"));
        assertTrue(reject(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight)).contains("needs dtype, shape and data_offsets"));
        byte[] badUtf8 = file("{\"a\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xff;
        assertTrue(reject(badUtf8).contains("UTF-8"));
        assertTrue(reject(file("{".repeat(5000), new byte[0])).contains("not valid JSON"));
        String ctl = "{\"a\\n\\u0000\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertTrue(reject(file(ctl, eight)).contains("tensor \"a\\u000a\\u0000\""));
        // reading an integer buffer as floats is refused, by name
        String ids = "{\"embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[0,8]}}";
        Path p = write("ids.safetensors", file(ids, eight));
        try (SafeTensors st = SafeTensors.open(p)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> st.readFloat32("embeddings.position_ids"));
            assertTrue(e.getMessage().contains("tensor \"embeddings.position_ids\": is I64"), e.getMessage());
            assertTrue(assertThrows(SafeTensorsException.class, () -> st.readFloat32("nope")).getMessage().contains("no such tensor"));
        }
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.open(dir.resolve("missing"))).getMessage().contains("no such file"));
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.open(dir)).getMessage().contains("directory"));
    }

    /**
     * A header listing 100,000 (empty) tensors: parsed by streaming, not as a JSON tree. (A 99 MB header of 1.67M
     * such entries ran a JSON-tree parser out of a 1 GB heap; the streaming parser needs ~260 MB for it.)
     */
    @Test
    void aHeaderWithHundredsOfThousandsOfTensors() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < 100_000; i++) {
            if (i > 0) h.append(',');
            h.append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        h.append('}');
        Path p = write("many.safetensors", file(h.toString(), new byte[0]));
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(100_000, st.tensors().size());
            assertEquals(0, st.readFloat32("t99999").length);
        }
    }

    /** A sparse file above 4 GB: the last tensor lies past every 32-bit offset and is still read. */
    @Test
    void readsTensorsBeyondFourGigabytes() throws IOException {
        long big = (1L << 32) + 24;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("huge.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
            f.write(b.array());
            f.seek(8 + h.length + big);
            ByteBuffer t = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f);
            f.write(t.array()); // everything before is a hole: no disk space used
        }
        try (SafeTensors st = SafeTensors.open(p)) {
            assertTrue(st.tensor("tail").begin > (1L << 32));
            assertArrayEquals(new float[] {1.5f, -3f}, st.readFloat32("tail"));
        }
    }
}

package distilj.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 subset of the safetensors format, enough for checkpoint state (model weights, AdamW moments): an 8-byte
 * little-endian header length, a JSON header {@code {"__metadata__": {...}, name: {"dtype": "F32", "shape": [...],
 * "data_offsets": [begin, end]}, ...}} padded with spaces to a multiple of 8, then the little-endian data.
 * Files written here load in Python with {@code safetensors.torch.load_file}. Reading accepts only F32 and checks
 * every offset; it is not a general reader (that is {@code distilj.safetensors}'s job).
 */
public final class TensorFile {
    private TensorFile() {}

    /** One named tensor: its shape and its row-major values (a view, not copied). */
    public record Tensor(String name, int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length)
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " but " + data.length + " values");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IO_CHUNK = 1 << 20;

    /** Writes the tensors, in order, to {@code file} (which the caller makes atomic by writing in a temp folder). */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            if (header.has(t.name())) throw new IllegalArgumentException("duplicate tensor name " + t.name());
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long end = offset + 4L * t.data().length;
            e.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) ch.write(head);
            ByteBuffer buf = ByteBuffer.allocate(IO_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                float[] d = t.data();
                for (int i = 0; i < d.length; ) {
                    buf.clear();
                    int n = Math.min(d.length - i, IO_CHUNK / 4);
                    buf.asFloatBuffer().put(d, i, n);
                    buf.limit(4 * n);
                    while (buf.hasRemaining()) ch.write(buf);
                    i += n;
                }
            }
            ch.force(true);
        }
    }

    /** Reads every tensor of a file written by {@link #write} (F32 only), in file order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads the tensors named in {@code into} straight into the given arrays (no second copy of a large state);
     * every one must be in the file with exactly that many values. Other tensors of the file are skipped.
     */
    public static void readInto(Path file, Map<String, float[]> into) throws IOException {
        Map<String, Tensor> got = read(file, into);
        for (String name : into.keySet())
            if (!got.containsKey(name)) throw new IOException(file + ": no tensor " + name);
    }

    private static Map<String, Tensor> read(Path file, Map<String, float[]> into) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > 100_000_000L || 8 + n > size)
                throw new IOException(file + ": bad safetensors header length " + n + " (file is " + size + " bytes)");
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IOException(file + ": header is not JSON: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) throw new IOException(file + ": header is not a JSON object");
            long dataStart = 8 + n;
            Map<String, Tensor> out = new LinkedHashMap<>();
            long expected = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                String name = e.getKey();
                JsonNode t = e.getValue();
                if (!"F32".equals(t.path("dtype").asText()))
                    throw new IOException(file + ": tensor " + name + " has dtype " + t.path("dtype") + ", expected F32");
                JsonNode sh = t.path("shape");
                int[] shape = new int[sh.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = sh.get(i).asInt();
                    count *= shape[i];
                }
                long begin = t.path("data_offsets").path(0).asLong(-1), end = t.path("data_offsets").path(1).asLong(-1);
                if (begin != expected || end - begin != 4 * count || dataStart + end > size || count > Integer.MAX_VALUE)
                    throw new IOException(file + ": tensor " + name + " has bad data_offsets [" + begin + ", " + end
                            + "] for shape " + Arrays.toString(shape) + " (file is " + size + " bytes; truncated?)");
                expected = end;
                float[] data;
                if (into == null) {
                    data = new float[(int) count];
                } else {
                    data = into.get(name);
                    if (data == null) continue;
                    if (data.length != count)
                        throw new IOException(file + ": tensor " + name + " has " + count + " values, expected " + data.length);
                }
                ByteBuffer buf = ByteBuffer.allocate(IO_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                long pos = dataStart + begin;
                for (int i = 0; i < data.length; ) {
                    int m = Math.min(data.length - i, IO_CHUNK / 4);
                    buf.clear().limit(4 * m);
                    readFully(ch, buf, pos, file);
                    buf.flip();
                    buf.asFloatBuffer().get(data, i, m);
                    i += m;
                    pos += 4L * m;
                }
                out.put(name, new Tensor(name, shape, data));
            }
            if (dataStart + expected != size)
                throw new IOException(file + ": " + (size - dataStart - expected) + " bytes after the last tensor");
            return out;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException(file + ": truncated (unexpected end of file at byte " + pos + ")");
            pos += r;
        }
    }
}

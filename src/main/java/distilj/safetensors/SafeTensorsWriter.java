package distilj.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a safetensors file that Hugging Face {@code transformers} loads, the way the Python
 * {@code safetensors} package writes one:
 * <ul>
 *   <li>the header lists {@code __metadata__} first (e.g. {@code {"format": "pt"}}, which transformers checks),
 *       then the tensors in name order, each at the next offset of the data buffer;</li>
 *   <li>the header is padded with spaces to a multiple of 8 bytes, so every tensor starts 8-byte aligned in the
 *       file (readers can map the floats in place);</li>
 *   <li>atomic: everything goes to a temporary file in the target's directory, flushed to disk, then renamed over
 *       the target. A crash leaves either the old file or the new one, never half of one.</li>
 * </ul>
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    /** One float32 tensor to write: a shape and its row-major values. */
    public static final class Tensor {
        public final int[] shape;
        public final float[] data;

        public Tensor(int[] shape, float[] data) {
            long n = 1;
            for (int d : shape) {
                if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
            }
            this.shape = shape.clone();
            this.data = data;
        }
    }

    /** Writes {@code tensors} (any map; written in name order) with {@code metadata} into {@code file}, atomically. */
    public static void write(Path file, Map<String, String> metadata, Map<String, Tensor> tensors) throws IOException {
        TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey("__metadata__")) throw new IllegalArgumentException("a tensor cannot be named __metadata__");
        byte[] header = header(metadata, sorted);

        atomically(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            writeAll(ch, len.flip());
            writeAll(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : sorted.values()) {
                for (int i = 0; i < t.data.length; ) {
                    int n = Math.min(buf.capacity() / 4, t.data.length - i);
                    buf.clear();
                    buf.asFloatBuffer().put(t.data, i, n);
                    buf.limit(4 * n);
                    writeAll(ch, buf);
                    i += n;
                }
            }
        });
    }

    /** What {@link #atomically} writes into the temporary file. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel ch) throws IOException;
    }

    /**
     * The one atomic write of the project: {@code body} fills a temporary file in the target's directory, which is
     * flushed to disk, made readable by all, renamed over {@code file} and the rename made durable. On any failure the
     * temporary file is removed and the old file, if any, is left as it was.
     */
    public static void atomically(Path file, Body body) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            readableByAll(tmp);
            move(tmp, file);
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** Rename over the target, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(Map<String, String> metadata, TreeMap<String, Tensor> sorted) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) h.put("__metadata__", new TreeMap<>(metadata));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            long end = offset + 4L * t.data.length;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            List<Integer> shape = new ArrayList<>();
            for (int d : t.shape) shape.add(d);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, end));
            h.put(e.getKey(), entry);
            offset = end;
        }
        byte[] json = new ObjectMapper().writeValueAsString(h).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    public static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /**
     * Temporary files are created private (rw-------); the final file gets the usual rw-r--r-- (rwxr-xr-x for a
     * folder) where the file system has POSIX permissions.
     */
    public static void readableByAll(Path p) {
        try {
            String perms = Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--";
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(perms));
        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
            // not POSIX (e.g. Windows): the platform's defaults apply
        }
    }

    /** Makes the rename itself durable (POSIX); not possible everywhere, so best effort. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // e.g. Windows cannot open a directory: the rename is still atomic, only its durability is up to the OS
        }
    }
}

package distilj.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: the format Hugging Face checkpoints ship in.
 *
 * <pre>
 *   [8 bytes]  N, little-endian unsigned: the header length
 *   [N bytes]  UTF-8 JSON object, maybe padded with spaces:
 *              {"__metadata__": {"format": "pt"},
 *               "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
 *   [rest]     the data buffer: every tensor's bytes, little-endian, row-major, back to back
 * </pre>
 *
 * The file is untrusted input (users load checkpoints they did not make), so {@link #open} checks everything the
 * format promises before anything is believed, and in an order that never allocates more than the file holds:
 * <ol>
 *   <li>N is compared with the file size and with a 100 MB limit, and the JVM's free memory with what parsing N
 *       bytes needs, before the header is read;</li>
 *   <li>the header must be strict UTF-8, start with '{', be one JSON object with no duplicate keys and nothing after
 *       it ({@link HeaderParser}, a streaming parser: a hostile header may list a million tensors);</li>
 *   <li>each tensor: a known dtype, a shape of non-negative integers whose byte size (checked for overflow) equals
 *       {@code end - begin} of its data_offsets;</li>
 *   <li>sorted by offset, the tensors tile the data buffer exactly: first at 0, each starting where the previous
 *       ends (no gap, no overlap), the last ending at the end of the file (fully covered, not truncated).</li>
 * </ol>
 * Stricter than the reference (safetensors 0.8.0) on three points, found by scripts/fuzz_differential.py: duplicate
 * names (the reference keeps one silently), whitespace before the '{', and sub-byte dtypes such as F4 are refused.
 * Any failure is a {@link SafeTensorsException} naming the file and the tensor.
 *
 * <p>Tensor bytes are not read at open: {@link #readFloat32} memory-maps just that tensor's range (in pieces of at
 * most 1 GB, at long offsets, so files above 2 GB work) and converts it to float32.
 */
public final class SafeTensors implements AutoCloseable {
    /** The reference implementation's limit on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Mapping window for reading one tensor; a multiple of every element size. */
    static final long MAP_CHUNK = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors; // in data_offsets order

    private SafeTensors(Path file, FileChannel channel, long fileSize, long dataStart,
                        Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Opens and validates {@code file}; the caller closes it. */
    public static SafeTensors open(Path file) throws SafeTensorsException {
        if (Files.isDirectory(file)) throw SafeTensorsException.header(file, "is a directory, not a safetensors file");
        if (!Files.exists(file)) throw SafeTensorsException.header(file, "no such file");
        // A FIFO or device would block or never end: only plain files are read.
        if (!Files.isRegularFile(file)) throw SafeTensorsException.header(file, "not a regular file");
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw SafeTensorsException.header(file, "no such file");
        } catch (AccessDeniedException e) {
            throw SafeTensorsException.header(file, "permission denied");
        } catch (IOException | SecurityException e) {
            throw SafeTensorsException.header(file, "cannot open: " + e.getMessage());
        }
        try {
            SafeTensors st = parse(file, ch);
            ch = null; // now owned by st
            return st;
        } finally {
            if (ch != null) closeQuietly(ch);
        }
    }

    private static SafeTensors parse(Path file, FileChannel ch) throws SafeTensorsException {
        long size;
        try {
            size = ch.size();
        } catch (IOException e) {
            throw SafeTensorsException.header(file, "cannot read the file size: " + e.getMessage());
        }
        if (size < 8) {
            throw SafeTensorsException.header(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, len, 0);
        long n = len.getLong(0); // unsigned: a value above 2^63 reads as negative
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw SafeTensorsException.header(file, "header length " + Long.toUnsignedString(n)
                    + " is above the " + MAX_HEADER_BYTES + "-byte limit (not a safetensors file, or a corrupt one)");
        }
        if (n > size - 8) {
            throw SafeTensorsException.header(file, "truncated: the header length is " + n + " bytes but only "
                    + (size - 8) + " bytes follow the length field");
        }
        if (n < 2) throw SafeTensorsException.header(file, "header length " + n + " is too short for a JSON object");
        // The header and what is parsed from it take a few times its size: refuse cleanly rather than run out.
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (4 * n > free) {
            throw SafeTensorsException.header(file, "a header of " + n + " bytes needs about " + (4 * n >> 20)
                    + " MB of memory; this JVM has " + (free >> 20) + " MB free (raise it with java -Xmx...)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(file, ch, hb, 8);
        long dataStart = 8 + n;
        long bufferSize = size - dataStart;
        HeaderParser.Header header = HeaderParser.parse(file, hb.array(), dataStart);
        Map<String, String> metadata = header.metadata;
        List<TensorInfo> list = header.tensors;
        // A tensor reaching past the end of the file means the file was cut short: say so, naming the tensor.
        TensorInfo furthest = null;
        for (TensorInfo t : list) if (furthest == null || t.end > furthest.end) furthest = t;
        if (furthest != null && furthest.end > size) {
            throw SafeTensorsException.tensor(file, furthest.name, "truncated file: its data ends at byte "
                    + furthest.end + " but the file has " + size + " bytes");
        }
        // Sorted by position, the tensors must tile [dataStart, size) exactly.
        list.sort(Comparator.<TensorInfo>comparingLong(t -> t.begin).thenComparingLong(t -> t.end));
        long at = dataStart;
        TensorInfo prev = null;
        for (TensorInfo t : list) {
            if (t.begin < at) {
                throw SafeTensorsException.tensor(file, t.name, "data_offsets " + rel(t, dataStart)
                        + " overlap tensor \"" + SafeTensorsException.printable(prev.name) + "\" " + rel(prev, dataStart));
            }
            if (t.begin > at) {
                throw SafeTensorsException.tensor(file, t.name, "data_offsets " + rel(t, dataStart) + " leave a gap of "
                        + (t.begin - at) + " bytes after "
                        + (prev == null ? "the start of the data buffer" : "tensor \"" + SafeTensorsException.printable(prev.name) + "\""));
            }
            at = t.end;
            prev = t;
        }
        if (at != size) {
            throw SafeTensorsException.header(file, "the last " + (size - at) + " bytes of the data buffer ("
                    + bufferSize + " bytes) belong to no tensor");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (TensorInfo t : list) tensors.put(t.name, t);
        return new SafeTensors(file, ch, size, dataStart, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors));
    }

    private static String rel(TensorInfo t, long dataStart) {
        return "[" + (t.begin - dataStart) + ", " + (t.end - dataStart) + "]";
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long pos) throws SafeTensorsException {
        try {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) throw SafeTensorsException.header(file, "truncated while reading the header");
                pos += r;
            }
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw SafeTensorsException.header(file, "read error: " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Byte position where the data buffer starts (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /** The {@code __metadata__} strings, e.g. {@code {"format": "pt"}}; empty if absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor, in the order of their bytes in the file. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensor(String name) throws SafeTensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw SafeTensorsException.tensor(file, name, "no such tensor (the file holds " + tensors.size() + ")");
        }
        return t;
    }

    /** The tensor's values as float32 (F32 as is, F16/BF16 widened exactly, F64 rounded). */
    public float[] readFloat32(String name) throws SafeTensorsException {
        TensorInfo t = tensor(name);
        checkFloat(t);
        float[] out = new float[(int) t.elements()];
        readFloat32(t, out);
        return out;
    }

    /** Reads a float tensor into {@code dst}, whose length must be the tensor's element count. */
    public void readFloat32(TensorInfo t, float[] dst) throws SafeTensorsException {
        checkFloat(t);
        if (dst.length != t.elements()) {
            throw SafeTensorsException.tensor(file, t.name, "has " + t.elements() + " elements, the destination " + dst.length);
        }
        long at = t.begin;
        int done = 0;
        while (at < t.end) {
            long len = Math.min(MAP_CHUNK, t.end - at);
            ByteBuffer b = map(t, at, len);
            int count = (int) (len / t.dtype.bytes);
            switch (t.dtype) {
                case F32:
                    b.asFloatBuffer().get(dst, done, count);
                    break;
                case F16:
                    for (int i = 0; i < count; i++) dst[done + i] = Half.toFloat(b.getShort(2 * i));
                    break;
                case BF16:
                    // bfloat16 is the top half of a float32: shifting it back is exact.
                    for (int i = 0; i < count; i++) dst[done + i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                    break;
                case F64:
                    for (int i = 0; i < count; i++) dst[done + i] = (float) b.getDouble(8 * i);
                    break;
                default:
                    throw new AssertionError(t.dtype);
            }
            done += count;
            at += len;
        }
    }

    /** An integer tensor (I64, I32, I16, I8, U8, U16, U32, BOOL) as longs; e.g. {@code embeddings.position_ids}. */
    public long[] readInt64(String name) throws SafeTensorsException {
        TensorInfo t = tensor(name);
        if (t.dtype.isFloat() || t.dtype == DType.U64 || t.dtype == DType.F8_E4M3 || t.dtype == DType.F8_E5M2) {
            throw SafeTensorsException.tensor(file, name, "is " + t.dtype + ", not an integer type this reader converts");
        }
        if (t.bytes() > Integer.MAX_VALUE) throw SafeTensorsException.tensor(file, name, "too large to read as one array");
        ByteBuffer b = map(t, t.begin, t.bytes());
        long[] out = new long[(int) t.elements()];
        for (int i = 0; i < out.length; i++) {
            switch (t.dtype) {
                case I64: out[i] = b.getLong(8 * i); break;
                case I32: out[i] = b.getInt(4 * i); break;
                case U32: out[i] = b.getInt(4 * i) & 0xffffffffL; break;
                case I16: out[i] = b.getShort(2 * i); break;
                case U16: out[i] = b.getShort(2 * i) & 0xffff; break;
                case I8: out[i] = b.get(i); break;
                case U8: case BOOL: out[i] = b.get(i) & 0xff; break;
                default: throw new AssertionError(t.dtype);
            }
        }
        return out;
    }

    private void checkFloat(TensorInfo t) throws SafeTensorsException {
        if (!t.dtype.isFloat()) {
            throw SafeTensorsException.tensor(file, t.name, "is " + t.dtype + ", not a float type (F32, F16, BF16, F64)");
        }
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw SafeTensorsException.tensor(file, t.name, t.elements() + " elements do not fit one Java array");
        }
    }

    private ByteBuffer map(TensorInfo t, long at, long len) throws SafeTensorsException {
        try {
            // The file may have been cut short since open: mapping past its end would crash the JVM on access.
            if (channel.size() < t.end) {
                throw SafeTensorsException.tensor(file, t.name, "the file shrank to " + channel.size() + " bytes since it was opened");
            }
            if (len == 0) return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            return channel.map(FileChannel.MapMode.READ_ONLY, at, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw SafeTensorsException.tensor(file, t.name, "cannot map its bytes: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only: nothing can be lost
        }
    }

}

package distilj.safetensors;

import java.util.Arrays;

/**
 * One entry of a safetensors header: name, element type, shape and where its bytes are. {@link #begin} and
 * {@link #end} are absolute file positions (the header's {@code data_offsets} plus 8 plus the header length), so a
 * file above 2 GB is addressed with longs throughout.
 */
public final class TensorInfo {
    public final String name;
    public final DType dtype;
    public final long[] shape;
    /** Absolute byte positions in the file, {@code [begin, end)}. */
    public final long begin, end;

    TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.begin = begin;
        this.end = end;
    }

    /** Number of elements: the product of the shape (1 for a scalar, shape []). */
    public long elements() {
        long n = 1;
        for (long d : shape) n *= d; // checked against overflow when the header was read
        return n;
    }

    public long bytes() {
        return end - begin;
    }

    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = (int) Math.min(shape[i], Integer.MAX_VALUE);
        return s;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}

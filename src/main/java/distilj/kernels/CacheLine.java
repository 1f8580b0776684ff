package distilj.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;

/**
 * Where the 64-byte cache lines of a {@code float[]} begin, so that the GEMM's packing buffers can start their panels
 * on a line: {@code a[offset(a)]} starts a line.
 *
 * <p>Why: packing stores whole 16-lane vectors (64 bytes). A Java array's data starts wherever the heap put it (any
 * multiple of 8 bytes), so most of those stores straddle two lines, and each line is written in two halves by two
 * stores that may be far apart in time. Measured on the Zen 4 machine (a probe packing 768×768 floats the way
 * {@code packBRows} and {@code packAWhole} do, the destination at each offset): 84–90 µs with every store on a line
 * against 100–120 µs off it for B, and 110–113 against 155–191 µs for A. Packing was ~9 % of a weight-gradient GEMM
 * (6–7 % on lines).
 *
 * <p>How: Java has no address-of, so this reads the array's reference as raw bits with {@code sun.misc.Unsafe}
 * (reflectively, and only to read) and decodes it. With compressed references (heaps under 32 GB) a reference is the
 * address shifted right by log2 of the object alignment (zero-based or heap-based mode; the heap base is aligned far
 * beyond 64 bytes), or the address itself when the whole heap lies below 4 GB (unscaled mode); {@link #shift} tells
 * them apart from fresh objects. The answer is only a hint: the garbage collector may move the array a moment later,
 * and callers must use the same offset for writing and reading a buffer within one call. Nothing depends on it for
 * correctness.
 *
 * <p>When it is off ({@link #UNAVAILABLE} says why; {@link #offset} then returns 0): {@code -Ddistilj.alignPacking=false};
 * no {@code sun.misc.Unsafe}; or JDK 23 and later without {@code --sun-misc-unsafe-memory-access=allow} (those JDKs
 * print a warning on the first such read, and the launcher passes that option when it relaunches).
 */
final class CacheLine {
    /** Floats in a 64-byte line. */
    static final int FLOATS = 16;

    /** Null when {@link #offset} reads real addresses, else why not. */
    static final String UNAVAILABLE;

    private static final MethodHandle GET_INT, GET_LONG; // Unsafe.getInt / getLong(Object, long), bound
    private static final long REF_BASE;                  // offset of element 0 in an Object[]
    static final long FLOAT_BASE;                        // … and in a float[]
    private static final boolean COMPRESSED;             // 4-byte references
    private static final int SHIFT;                      // address = (reference bits) << SHIFT, mod 64

    static {
        String why = null;
        MethodHandle gi = null, gl = null;
        long refBase = 0, floatBase = 0;
        boolean compressed = false;
        int shift = 0;
        try {
            if (!Boolean.parseBoolean(System.getProperty("distilj.alignPacking", "true"))) {
                why = "-Ddistilj.alignPacking=false";
            } else if (Runtime.version().feature() >= 23
                    && !"allow".equals(System.getProperty("sun.misc.unsafe.memory.access"))) {
                why = "JDK " + Runtime.version().feature() + " without --sun-misc-unsafe-memory-access=allow";
            } else {
                Class<?> uc = Class.forName("sun.misc.Unsafe");
                Field f = uc.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                Object u = f.get(null);
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                gi = lookup.findVirtual(uc, "getInt", MethodType.methodType(int.class, Object.class, long.class))
                        .bindTo(u);
                gl = lookup.findVirtual(uc, "getLong", MethodType.methodType(long.class, Object.class, long.class))
                        .bindTo(u);
                MethodHandle base = lookup.findVirtual(uc, "arrayBaseOffset",
                        MethodType.methodType(int.class, Class.class)).bindTo(u);
                MethodHandle scale = lookup.findVirtual(uc, "arrayIndexScale",
                        MethodType.methodType(int.class, Class.class)).bindTo(u);
                refBase = (int) base.invokeExact((Class<?>) Object[].class);
                floatBase = (int) base.invokeExact((Class<?>) float[].class);
                compressed = (int) scale.invokeExact((Class<?>) Object[].class) == 4;
            }
        } catch (Throwable t) {
            why = "no sun.misc.Unsafe (" + t + ")";
        }
        GET_INT = gi;
        GET_LONG = gl;
        REF_BASE = refBase;
        FLOAT_BASE = floatBase;
        COMPRESSED = compressed;
        if (why == null && compressed) shift = shift(objectAlignment());
        SHIFT = shift;
        UNAVAILABLE = why;
    }

    private CacheLine() {
    }

    /** 0 … 15: a[offset(a)] starts a 64-byte cache line (as the array lies right now); 0 when unavailable. */
    static int offset(float[] a) {
        if (UNAVAILABLE != null) return 0;
        long data = address(a) + FLOAT_BASE;
        return (int) ((64 - (data & 63)) & 63) / Float.BYTES;
    }

    /** The address of an object, modulo 64 at least (the bits above the shift are exact). */
    static long address(Object o) {
        if (UNAVAILABLE != null) throw new IllegalStateException("no addresses: " + UNAVAILABLE);
        if (COMPRESSED) return (referenceBits(o) & 0xFFFF_FFFFL) << SHIFT;
        Object[] holder = {o};
        try {
            return (long) GET_LONG.invokeExact((Object) holder, REF_BASE);
        } catch (Throwable t) {
            throw new IllegalStateException("reading an object's address", t);
        }
    }

    /** A compressed reference to o, as stored in an Object[]. */
    private static int referenceBits(Object o) {
        Object[] holder = {o};
        try {
            return (int) GET_INT.invokeExact((Object) holder, REF_BASE);
        } catch (Throwable t) {
            throw new IllegalStateException("reading a compressed reference", t);
        }
    }

    /**
     * The shift of compressed references: 0 when the heap is unscaled (a reference is the address, so every fresh
     * object's reference is a multiple of the object alignment), else log2 of the alignment. Sixteen fresh objects all
     * reading as multiples of the alignment under a shift would happen by chance once in 8¹⁶.
     */
    private static int shift(int alignment) {
        boolean allMultiples = true;
        for (int i = 0; i < 16; i++) {
            if (referenceBits(new long[1]) % alignment != 0) allMultiples = false;
        }
        return allMultiples ? 0 : Integer.numberOfTrailingZeros(alignment);
    }

    /** -XX:ObjectAlignmentInBytes (8 unless set), from the HotSpot management bean when there is one. */
    private static int objectAlignment() {
        try {
            Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            @SuppressWarnings("unchecked")
            Object mx = ManagementFactory.getPlatformMXBean(
                    (Class<? extends java.lang.management.PlatformManagedObject>) bean);
            Object option = bean.getMethod("getVMOption", String.class).invoke(mx, "ObjectAlignmentInBytes");
            return Integer.parseInt((String) option.getClass().getMethod("getValue").invoke(option));
        } catch (Throwable t) {
            return 8;
        }
    }
}

package distilj.bench;

import distilj.kernels.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Two versions of the GEMM measured in one JVM in alternating slices: on this VM the clock and the neighbours move the
 * speed of everything by 10–50 % from one minute to the next (the FMA loop alone has read from 69 to 231 GFLOPS per
 * thread on one day), so two separate runs cannot resolve a 3 % change, while slices of a few hundred milliseconds
 * taken in turn see the same machine. {@code benchmarks/gemm-ab.sh} builds the two versions as classes
 * {@code distilj.kernels.SimdGemmA} and {@code SimdGemmB} (copies of {@code SimdGemm} from a git revision and from the
 * working tree) and runs this twice, once with each class first.
 *
 * <p>Why twice: two copies of the same code are not equally fast in one JVM. An A/A run (the same source as both
 * classes) on 2 threads gave the second-created class +1 to +16 % (geometric mean +7 %) over 9 shape×op cases, so a
 * single ordering measures that bias as much as the change. The script swaps the order in the second JVM and reports
 * the geometric mean of the two ratios, in which the bias cancels.
 *
 * <p>Per shape and op: 1.5 s of warm-up for each, then {@code slices} rounds of first then second (second then first
 * in odd rounds). Prints one line per case: the two GFLOPS over all slices (thread CPU time on 1 thread, wall time
 * otherwise), second/first, and the median and quartiles of the per-round ratios.
 * Arguments: threads, shapes (tokens x out x in), ops (forward,dX,dW), seconds per slice, rounds, and the two class
 * names in the order to create them.
 */
public final class GemmAB {
    public static void main(String[] args) throws ReflectiveOperationException {
        int threads = Integer.parseInt(args[0]);
        String[] shapes = args[1].split(",");
        String[] ops = args[2].split(",");
        double slice = Double.parseDouble(args[3]);
        int rounds = Integer.parseInt(args[4]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Parallel pool = new Parallel(threads)) {
            Object[] gemm = {create(args[5], pool), create(args[6], pool)};
            String[] name = {simpleName(args[5]), simpleName(args[6])};
            Method[] call = {method(gemm[0]), method(gemm[1])};
            for (String shape : shapes) {
                LinearOperands o = new LinearOperands(shape);
                int M = o.M, N = o.N, K = o.K;
                for (String op : ops) {
                    // The arguments of SimdGemm.gemm(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, beta, C,
                    // cOff, ldc, bias, biasOff) for the three GEMMs of a linear layer, as in GemmBench.
                    Object[] a = switch (op) {
                        case "forward" -> new Object[] {false, true, M, N, K, o.x, 0, K, o.w, 0, K, 0f, o.y, 0, N,
                                o.b, 0};
                        case "dX" -> new Object[] {false, false, M, K, N, o.dy, 0, N, o.w, 0, K, 0f, o.dx, 0, K,
                                null, 0};
                        case "dW" -> new Object[] {true, false, N, K, M, o.dy, 0, N, o.x, 0, K, 1f, o.dw, 0, K,
                                null, 0};
                        default -> throw new IllegalArgumentException("op must be forward, dX or dW: " + op);
                    };
                    double flop = o.flop();
                    for (int v = 0; v < 2; v++) {
                        long end = System.nanoTime() + 1_500_000_000L;
                        while (System.nanoTime() < end) invoke(call[v], gemm[v], a);
                    }
                    double[] ratio = new double[rounds], time = new double[2], count = new double[2];
                    for (int round = 0; round < rounds; round++) {
                        double[] gflops = new double[2];
                        for (int turn = 0; turn < 2; turn++) {
                            int v = round % 2 == 0 ? turn : 1 - turn;
                            long end = System.nanoTime() + (long) (slice * 1e9);
                            long t0 = threads == 1 ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                            int n = 0;
                            do {
                                invoke(call[v], gemm[v], a);
                                n++;
                            } while (System.nanoTime() < end);
                            long dt = (threads == 1 ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
                            gflops[v] = flop * n / dt;
                            time[v] += dt;
                            count[v] += n;
                        }
                        ratio[round] = gflops[1] / gflops[0];
                    }
                    Arrays.sort(ratio);
                    double ga = flop * count[0] / time[0], gb = flop * count[1] / time[1];
                    System.out.printf("%-14s %-7s threads %d  %s %6.1f  %s %6.1f GFLOPS  second/first %.3f  per round:"
                                    + " median %.3f [quartiles %.3f, %.3f]%n", shape, op, threads, name[0], ga, name[1],
                            gb, gb / ga, ratio[rounds / 2], ratio[rounds / 4], ratio[(3 * rounds) / 4]);
                }
            }
        }
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static Object create(String name, Parallel pool) throws ReflectiveOperationException {
        Constructor<?> c = Class.forName(name).getDeclaredConstructor(Parallel.class);
        c.setAccessible(true);
        return c.newInstance(pool);
    }

    private static Method method(Object gemm) throws NoSuchMethodException {
        Method m = gemm.getClass().getDeclaredMethod("gemm", boolean.class, boolean.class, int.class, int.class,
                int.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float.class,
                float[].class, int.class, int.class, float[].class, int.class);
        m.setAccessible(true);
        return m;
    }

    private static void invoke(Method m, Object gemm, Object[] args) {
        try {
            m.invoke(gemm, args);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}

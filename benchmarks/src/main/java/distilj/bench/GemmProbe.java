package distilj.bench;

import distilj.kernels.Parallel;
import distilj.kernels.SimdKernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A quick GEMM probe for tuning, not a benchmark of record (that is {@link GemmBench} under JMH): one JVM, the ops of
 * {@link GemmBench} on the given shapes, a warm-up, then the median of several timed repetitions, printed as wall
 * GFLOPS and (1 thread only) GFLOPS by the thread's CPU time, which is less disturbed by other load. Used to sweep the
 * blocking parameters, e.g.
 * <pre>
 *   java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -Ddistilj.gemm.kc=128 -cp target/test-classes:target/classes \
 *        distilj.bench.GemmProbe 1 1750x768x768,1750x3072x768,1750x768x3072
 * </pre>
 * Arguments: threads, shapes (tokens x out x in), optionally ops (default forward,dX,dW) and seconds per measurement.
 */
public final class GemmProbe {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        String[] shapes = args[1].split(",");
        String[] ops = args.length > 2 ? args[2].split(",") : new String[] {"forward", "dX", "dW"};
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 1.0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Parallel pool = new Parallel(threads)) {
            SimdKernels k = new SimdKernels(pool);
            for (String shape : shapes) {
                LinearOperands o = new LinearOperands(shape);
                for (String op : ops) {
                    Runnable call = () -> o.run(k, op);
                    double flop = o.flop();
                    long warmEnd = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < warmEnd) call.run();
                    int reps = 7;
                    double[] wall = new double[reps], cpu = new double[reps];
                    for (int rep = 0; rep < reps; rep++) {
                        long end = System.nanoTime() + (long) (seconds * 1e9 / reps);
                        long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime(), n = 0;
                        do {
                            call.run();
                            n++;
                        } while (System.nanoTime() < end);
                        wall[rep] = flop * n / (System.nanoTime() - t0);
                        cpu[rep] = flop * n / (mx.getCurrentThreadCpuTime() - c0);
                    }
                    Arrays.sort(wall);
                    Arrays.sort(cpu);
                    System.out.printf("%-14s %-7s threads %d  wall %6.1f GFLOPS (min %6.1f max %6.1f)%s%n", shape, op,
                            threads, wall[reps / 2], wall[0], wall[reps - 1],
                            threads == 1 ? String.format("  cpu %6.1f", cpu[reps / 2]) : "");
                }
            }
        }
    }
}

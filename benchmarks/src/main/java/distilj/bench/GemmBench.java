package distilj.bench;

import distilj.kernels.Kernels;
import distilj.kernels.Parallel;
import distilj.kernels.SimdKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three GEMMs of a linear layer at DistilBERT shapes: tokens × (in → out) for the attention projections
 * (768 → 768) and the FFN (768 → 3072, 3072 → 768). Per op: 2·tokens·in·out FLOP, so
 * GFLOPS = 2·M·N·K / (ms/op · 1e6) (benchmarks/gemm-vs-blas.sh prints them).
 * <ul>
 *   <li>{@code forward}: Y[M,N] = X[M,K]·W[N,K]ᵀ + b (transB),</li>
 *   <li>{@code dX}: dX[M,K] = dY[M,N]·W[N,K] (no transpose),</li>
 *   <li>{@code dW}: dW[N,K] += dY[M,N]ᵀ·X[M,K] (transA).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseTransparentHugePages"})
public class GemmBench {
    /** tokens x out x in, i.e. M x N x K of the forward. */
    @Param({"1750x768x768", "1750x3072x768", "1750x768x3072", "3584x768x768", "3584x3072x768", "3584x768x3072"})
    public String shape;

    @Param({"forward", "dX", "dW"})
    public String op;

    @Param({"1", "2"})
    public int threads;

    private Parallel pool;
    private Kernels k;
    private LinearOperands o;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new Parallel(threads);
        k = new SimdKernels(pool);
        o = new LinearOperands(shape);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float gemm() {
        return o.run(k, op);
    }
}

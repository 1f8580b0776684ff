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
 * The small per-head GEMMs of attention, one sequence of length L and one head of size d (64 for DistilBERT, 32 for
 * MiniLM), on strided views of the packed [L, 768] q/k/v (ld = 768): scores S = Q·Kᵀ [L,L] (transB), context
 * O = P·V [L,d], and the backward's dP = dO·Vᵀ, dQ = dS·K, dK = dSᵀ·Q. These run single-threaded inside the
 * model's per-(sequence, head) parallel loop, so there is no thread parameter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseTransparentHugePages"})
public class AttentionGemmBench {
    @Param({"13", "31", "64", "80"})
    public int seq;

    @Param({"64", "32"})
    public int head;

    private static final int LD = 768;
    private Parallel pool;
    private Kernels k;
    private float[] q, kk, v, s, o;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new Parallel(1);
        k = new SimdKernels(pool);
        SplittableRandom r = new SplittableRandom(2);
        q = GemmBench.random(r, seq * LD);
        kk = GemmBench.random(r, seq * LD);
        v = GemmBench.random(r, seq * LD);
        s = GemmBench.random(r, seq * seq);
        o = new float[seq * LD];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    /** S[L,L] = Q[L,d]·K[L,d]ᵀ. */
    @Benchmark
    public float scoresQKt() {
        k.gemm(false, true, seq, seq, head, q, 64, LD, kk, 64, LD, 0f, s, 0, seq);
        return s[0];
    }

    /** O[L,d] = P[L,L]·V[L,d] (also dQ = dS·K). */
    @Benchmark
    public float contextPV() {
        k.gemm(false, false, seq, head, seq, s, 0, seq, v, 64, LD, 0f, o, 64, LD);
        return o[64];
    }

    /** dK[L,d] = dSᵀ·Q (also dV = Pᵀ·dO). */
    @Benchmark
    public float backwardStQ() {
        k.gemm(true, false, seq, head, seq, s, 0, seq, q, 64, LD, 0f, o, 64, LD);
        return o[64];
    }
}

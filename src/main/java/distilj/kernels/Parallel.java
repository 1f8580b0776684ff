package distilj.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One reusable pool of threads for every parallel kernel: {@code threads − 1} daemon workers plus the calling thread.
 *
 * <p>{@link #forEach(int, IntConsumer)} runs {@code body(0 … tasks−1)}, each index once, in any order and on any
 * thread. Callers make the tasks write disjoint outputs and never split a reduction across tasks, which is why results
 * do not depend on the thread count. A call made from inside a task runs inline on that thread (nested parallelism
 * would only add overhead on a 2-core machine). One job runs at a time; concurrent callers queue.
 */
public final class Parallel implements AutoCloseable {
    private static volatile Parallel shared;
    private static volatile int defaultThreads = Runtime.getRuntime().availableProcessors();

    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final Thread[] workers;
    private final Object submitLock = new Object();

    /** One call of forEach. A fresh object per call, so a worker that wakes late can only drain a finished job. */
    private static final class Job {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger nextTask = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread submitter;

        Job(IntConsumer body, int tasks, Thread submitter) {
            this.body = body;
            this.tasks = tasks;
            this.unfinished = new AtomicInteger(tasks);
            this.submitter = submitter;
        }
    }

    private volatile Job current;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "distilj-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /**
     * Sets the size of the {@link #shared()} pool (e.g. from {@code --threads}). Call it before building a model:
     * a different size closes the old pool and makes {@link Kernels#get()} choose again on the new one, so kernels
     * fetched earlier must not be used afterwards.
     */
    public static synchronized void setDefaultThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (shared != null && shared.threads != n) {
            shared.close();
            shared = null;
            KernelSelection.reset();
        }
        defaultThreads = n;
    }

    /** The process-wide pool ({@link #setDefaultThreads}, default: all cores). */
    public static Parallel shared() {
        Parallel p = shared;
        if (p == null) {
            synchronized (Parallel.class) {
                if (shared == null) shared = new Parallel(defaultThreads);
                p = shared;
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Runs body(i) for every i in [0, tasks), spread over the pool; returns when all are done. */
    public void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (threads == 1 || tasks == 1 || IN_TASK.get()) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        synchronized (submitLock) {
            if (closed) throw new IllegalStateException("Parallel pool is closed");
            Job job = new Job(body, tasks, Thread.currentThread());
            current = job;
            for (Thread w : workers) LockSupport.unpark(w);
            IN_TASK.set(Boolean.TRUE);
            try {
                drain(job);
            } finally {
                IN_TASK.set(Boolean.FALSE);
            }
            int spins = 0;
            while (job.unfinished.get() > 0) {
                if (++spins < 2000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 20_000);
            }
            current = null;
            Throwable t = job.failure.get();
            if (t != null) {
                if (t instanceof RuntimeException) throw (RuntimeException) t;
                if (t instanceof Error) throw (Error) t;
                throw new RuntimeException(t);
            }
        }
    }

    private static void drain(Job job) {
        int i;
        while ((i = job.nextTask.getAndIncrement()) < job.tasks) {
            try {
                if (job.failure.get() == null) job.body.accept(i);
            } catch (Throwable t) {
                job.failure.compareAndSet(null, t);
            } finally {
                if (job.unfinished.decrementAndGet() == 0) LockSupport.unpark(job.submitter);
            }
        }
    }

    private void workerLoop() {
        IN_TASK.set(Boolean.TRUE);
        Job seen = null;
        while (!closed) {
            Job job = current;
            if (job == null || job == seen) {
                // Spin briefly (jobs come in bursts during a training step), then park.
                for (int s = 0; s < 4000 && current == job && !closed; s++) Thread.onSpinWait();
                if (current == job && !closed) LockSupport.parkNanos(this, 1_000_000);
                continue;
            }
            seen = job;
            drain(job);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}

package distilj.cli;

import distilj.kernels.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads N} of every command that computes: the size of the one kernel thread pool. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Worker threads (0: all cores). Results are bit-identical for any value; only speed changes.")
    int threads;

    /** Checks the value (a usage error when negative) and sizes the pool; call before building a model. */
    void apply() {
        if (threads < 0) throw new Cli.UsageException("--threads must be >= 0, got " + threads);
        if (threads > 0) Parallel.setDefaultThreads(threads);
    }
}

package distilj.cli;

import distilj.kernels.Kernels;
import distilj.kernels.Simd;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The command line: {@code distilj <command> [options]}. Each subcommand lives in its own class in this package.
 *
 * <p>Exit codes: 0 success, 1 a failure while working (the message says what and where), 2 a usage error
 * (unknown flag, bad value). No stack trace reaches the user unless {@code DISTILJ_DEBUG=1}.
 */
@Command(name = "distilj",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "DistilBERT and BERT in pure Java: fine-tune and run text classifiers on a CPU.",
        subcommands = {
                CommandLine.HelpCommand.class,
        })
public final class Cli implements Runnable {
    @Spec CommandSpec spec;

    /** Subcommands, registered here so that each stays a plain class of its own. */
    static List<Object> subcommands() {
        return List.of(new TrainCommand(), new EvalCommand(), new PredictCommand(), new TokenizeCommand(), new InfoCommand(),
                new DownloadCommand());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns the exit code (does not call System.exit: tests call this). */
    public static int run(String... args) {
        // UTF-8 whatever the locale: ids, tokens and JSON must not turn into '?' under LANG=C.
        return run(utf8(System.out), utf8(System.err), args);
    }

    private static PrintWriter utf8(java.io.OutputStream stream) {
        return new PrintWriter(new java.io.OutputStreamWriter(stream, java.nio.charset.StandardCharsets.UTF_8), true);
    }

    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Cli());
        for (Object sub : subcommands()) cl.addSubcommand(sub);
        cl.setParameterExceptionHandler(Cli::usageError);
        cl.setExecutionExceptionHandler(Cli::failure);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("error: " + e.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return 2;
    }

    private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof UsageException) {
            err.println("error: " + e.getMessage());
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        }
        err.println("error: " + describe(e));
        if (System.getenv("DISTILJ_DEBUG") != null) e.printStackTrace(err);
        else if (!(e instanceof java.io.IOException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException)) {
            err.println("(an internal error: rerun with DISTILJ_DEBUG=1 for the stack trace and please report it)");
        }
        return 1;
    }

    /** The message of an exception, or its type when it has none (never "null"). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.io.UncheckedIOException && e.getCause() != null) m = e.getCause().getMessage();
        if (e instanceof OutOfMemoryError) return "out of memory (" + m + "): give the JVM more with -Xmx, e.g. java -Xmx8g -jar ...";
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** {@code --version}: the version, the Java running it, and whether SIMD is on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Kernels k = Kernels.get();
            return new String[] {
                    "distilj " + version(),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                            + System.getProperty("java.vendor") + ")",
                    Simd.statusLine(),
                    "kernels: " + k.name() + ", threads: " + k.parallel().threads(),
                    "JVM: " + collectors() + ", transparent huge pages " + (vmFlag("UseTransparentHugePages") ? "on" : "off"),
            };
        }

        /** The garbage collectors' names, sorted, e.g. "PS MarkSweep + PS Scavenge" for the parallel collector. */
        private static String collectors() {
            return String.join(" + ", java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(java.lang.management.GarbageCollectorMXBean::getName).sorted().toList());
        }

        private static boolean vmFlag(String name) {
            try {
                return Boolean.parseBoolean(java.lang.management.ManagementFactory
                        .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue());
            } catch (RuntimeException | LinkageError e) { // not HotSpot
                return false;
            }
        }
    }

    static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** A usage error found after parsing (e.g. two flags that exclude each other): exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}

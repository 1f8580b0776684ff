package distilj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
    static final class Run {
        final int code;
        final String out;
        final String err;

        Run(String... args) {
            StringWriter o = new StringWriter(), e = new StringWriter();
            code = Cli.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
            out = o.toString();
            err = e.toString();
        }
    }

    @Test
    void versionSaysJavaAndSimd() {
        Run r = new Run("--version");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Java " + Runtime.version()), r.out);
        // The test JVM runs with --add-modules jdk.incubator.vector (pom.xml), so SIMD must be on here.
        assertTrue(r.out.matches("(?s).*SIMD: on \\(\\d+ float lanes, [^)]+\\).*"), r.out);
    }

    @Test
    void unknownFlagIsAOneLineUsageError() {
        Run r = new Run("--no-such-flag");
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("error: Unknown option: '--no-such-flag'"), r.err);
        assertTrue(!r.err.contains("\tat "), "no stack trace: " + r.err);
    }

    @Test
    void helpListsCommands() {
        Run r = new Run("--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Commands:"), r.out);
    }
}

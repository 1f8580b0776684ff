package distilj.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoint folders {@code <output>/checkpoint-N/}, N the global step. A folder is written as
 * {@code checkpoint-N.tmp/}, every file flushed to disk, then renamed in one atomic step: a run killed at any moment
 * leaves either the complete folder or none (plus a stale {@code .tmp} that the next run deletes).
 */
public final class Checkpoints {
    private Checkpoints() {}

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    /** Written last into every checkpoint; its presence marks a complete folder. */
    public static final String STATE_FILE = "trainer_state.json";

    public interface Writer {
        void write(Path dir) throws IOException;
    }

    /** Writes checkpoint-{@code step} atomically with {@code writer} and returns its path. */
    public static Path save(Path outputDir, long step, Writer writer) throws IOException {
        Files.createDirectories(outputDir);
        Path dir = outputDir.resolve("checkpoint-" + step);
        Path tmp = outputDir.resolve("checkpoint-" + step + ".tmp");
        deleteTree(tmp);
        Files.createDirectory(tmp);
        writer.write(tmp);
        fsyncDir(tmp);
        if (Files.exists(dir)) {
            // Only when a step is saved twice (e.g. a resumed run repeating the last save): swap the old one out.
            Path old = outputDir.resolve("checkpoint-" + step + ".old");
            deleteTree(old);
            move(dir, old);
            move(tmp, dir);
            deleteTree(old);
        } else {
            move(tmp, dir);
        }
        fsyncDir(outputDir);
        return dir;
    }

    /** The complete checkpoint with the highest step in {@code outputDir}, if any. */
    public static Optional<Path> latest(Path outputDir) {
        if (!Files.isDirectory(outputDir)) return Optional.empty();
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .max(Comparator.comparingLong(Checkpoints::stepOf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** N of a folder named checkpoint-N. */
    public static long stepOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(dir + " is not a checkpoint-N folder");
        return Long.parseLong(m.group(1));
    }

    /**
     * Deletes leftovers of an interrupted save: {@code checkpoint-N.tmp} and {@code .old}, the trainer's
     * {@code final.tmp}, and the hidden {@code .<name>.tmp-*} folders a {@link WeightStore} built on
     * {@code distilj.checkpoint.ModelExport} makes next to its target.
     */
    public static void cleanStale(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(outputDir,
                "{checkpoint-*.tmp,checkpoint-*.old,final.tmp,.checkpoint-*.tmp-*,.final.tmp.tmp-*}")) {
            for (Path p : ds) deleteTree(p);
        }
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Writes {@code bytes} to {@code file} via a temp file in the same folder and an atomic rename. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static void fsyncDir(Path dir) {
        // Makes the rename durable on Linux; not supported everywhere (e.g. Windows), where it is skipped.
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}

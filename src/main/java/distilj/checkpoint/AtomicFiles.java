package distilj.checkpoint;

import distilj.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Whole-or-nothing file writes: a temporary file in the same directory, flushed, then renamed over the target. The
 * mechanism is {@link SafeTensorsWriter#atomically}, shared with the weights files.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path file, byte[] bytes) throws IOException {
        SafeTensorsWriter.atomically(file, ch -> SafeTensorsWriter.writeAll(ch, ByteBuffer.wrap(bytes)));
    }

    /** Rename, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        SafeTensorsWriter.move(from, to);
    }
}

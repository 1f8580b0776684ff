package distilj.checkpoint;

import java.io.IOException;

/** A model folder, config.json or checkpoint that cannot be used; the message names the file and the tensor or key. */
public final class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

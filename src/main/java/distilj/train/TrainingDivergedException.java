package distilj.train;

/** The loss (or the gradient norm) became NaN or infinite: the run stops, the last good checkpoint stays intact. */
public final class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}

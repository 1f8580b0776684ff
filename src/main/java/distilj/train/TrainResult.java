package distilj.train;

/**
 * The Trainer's TrainOutput: steps taken, mean training loss over all steps, wall time of the whole run (all
 * sessions, when resumed) and throughput.
 */
public record TrainResult(long globalStep, double trainingLoss, double trainRuntime, double trainSamplesPerSecond,
                          double trainStepsPerSecond, double epoch) {
}

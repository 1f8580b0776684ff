package distilj.train;

import java.nio.file.Path;

/**
 * TEST ONLY: the main of a child JVM that {@link SigkillResumeTest} kills with SIGKILL. Runs the
 * {@link TrainerTest#config()} training of the tiny model into {@code args[0]}, from the latest checkpoint there if
 * {@code args[1]} is "resume", sleeping {@code args[2]} ms after each step so that the kill lands mid-run.
 */
public final class KillableRun {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean resume = args[1].equals("resume");
        long sleep = Long.parseLong(args[2]);
        // Initial weights differ from the reference run's on purpose: a resume must overwrite them all.
        TinyBagModel m = TrainerTest.model(resume ? 123 : 5);
        Trainer t = TrainerTest.trainer(m, TrainerTest.config(), out, WeightStore.SAFETENSORS_F32);
        t.addListener(new TrainListener() {
            @Override
            public void onStep(long step, long total, double epoch, float loss, double sps) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        t.train(resume ? Checkpoints.latest(out).orElseThrow() : null);
        System.out.println("finished " + t.globalStep());
    }
}

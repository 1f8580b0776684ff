package distilj.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Changing the shared pool's size must not leave Kernels.get() bound to the closed pool. */
class SharedPoolTest {
    @Test
    void kernelsFollowTheNewSharedPool() {
        int saved = Parallel.shared().threads();
        try {
            Kernels.get().parallel(); // chosen on the current pool
            Parallel.setDefaultThreads(saved == 3 ? 2 : 3);
            AtomicInteger done = new AtomicInteger();
            Kernels.get().parallel().forEach(4, i -> done.incrementAndGet()); // threw "pool is closed" before
            assertEquals(4, done.get());
            assertEquals(Parallel.shared(), Kernels.get().parallel());
        } finally {
            Parallel.setDefaultThreads(saved);
        }
    }
}

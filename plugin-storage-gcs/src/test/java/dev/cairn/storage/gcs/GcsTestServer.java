package dev.cairn.storage.gcs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A small Google Cloud Storage JSON API server on a free loopback port, so that the real SDK's
 * HTTP path runs: multipart and resumable uploads (308 between chunks), ranged media downloads,
 * object metadata, listing with prefix, delimiter and page tokens, deletion, batch requests, and
 * generation preconditions. No GCS server can be installed here; this covers what Cairn calls.
 */
public final class GcsTestServer implements AutoCloseable {

    private record StoredObject(byte[] data, long generation, Instant created) {
    }

    private record Session(String bucket, String name, Long ifGenerationMatch, ByteArrayOutputStream data) {
    }

    private static final Pattern OBJECT_PATH = Pattern.compile("/(?:download/)?storage/v1/b/([^/]+)/o/(.+)");
    private static final Pattern OBJECTS_PATH = Pattern.compile("/(?:upload/)?storage/v1/b/([^/]+)/o/?");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)");
    private static final int PAGE_SIZE = 50;

    private final HttpServer server;
    private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(1_000);

    public GcsTestServer() throws IOException {
        // without it every small request waits out a delayed ACK (about 40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "gcs-test-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public void createBucket(String name) {
        buckets.putIfAbsent(name, new TreeMap<>());
    }

    public List<String> objectNames(String bucket) {
        synchronized (bucket(bucket)) {
            return new ArrayList<>(bucket(bucket).keySet());
        }
    }

    /** Resumable upload sessions begun and not finalized. */
    public int openSessions() {
        return sessions.size();
    }

    public Map<String, Object> pluginSettings(int viaPort) {
        return Map.of("endpoint", "http://127.0.0.1:" + viaPort, "credentials", "none", "project-id", "cairn-test", "max-attempts", "6");
    }

    private NavigableMap<String, StoredObject> bucket(String name) {
        NavigableMap<String, StoredObject> b = buckets.get(name);
        if (b == null) {
            throw new HttpFailure(404, "No such bucket: " + name);
        }
        return b;
    }

    private static final class HttpFailure extends RuntimeException {
        final int status;

        HttpFailure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
        static Response json(int status, String json) {
            return new Response(status, Map.of("Content-Type", "application/json; charset=UTF-8"), json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        Response response;
        try {
            Map<String, String> headers = headers(exchange);
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
                // the SDK compresses uploads unless told not to
                body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
            }
            response = dispatch(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    query(exchange.getRequestURI().getRawQuery()), headers, body);
        } catch (HttpFailure f) {
            response = error(f.status, f.getMessage());
        } catch (RuntimeException e) {
            response = error(500, e.toString());
        }
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        boolean empty = response.body().length == 0 || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
        exchange.close();
    }

    private static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        return headers;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Response error(int status, String message) {
        String m = message == null ? "" : message.replace("\\", "\\\\").replace("\"", "'");
        return Response.json(status, "{\"error\":{\"code\":" + status + ",\"message\":\"" + m + "\",\"errors\":[{\"message\":\""
                + m + "\",\"reason\":\"" + (status == 412 ? "conditionNotMet" : status == 404 ? "notFound" : "backendError") + "\"}]}}");
    }

    private Response dispatch(String method, String path, Map<String, String> q, Map<String, String> headers, byte[] body) {
        if (path.equals("/batch/storage/v1")) {
            return batch(headers.get("content-type"), body);
        }
        if (q.containsKey("upload_id")) {
            return resumableChunk(q.get("upload_id"), headers.get("content-range"), body);
        }
        Matcher object = OBJECT_PATH.matcher(path);
        if (object.matches()) {
            String bucket = decode(object.group(1));
            String name = decode(object.group(2));
            return switch (method) {
                case "GET" -> "media".equals(q.get("alt")) ? media(bucket, name, headers.get("range")) : metadata(bucket, name);
                case "DELETE" -> delete(bucket, name, q);
                default -> throw new HttpFailure(405, method + " " + path);
            };
        }
        Matcher objects = OBJECTS_PATH.matcher(path);
        if (objects.matches()) {
            String bucket = decode(objects.group(1));
            if (method.equals("GET")) {
                return list(bucket, q);
            }
            if (method.equals("POST") && "multipart".equals(q.get("uploadType"))) {
                return multipartUpload(bucket, q, headers.get("content-type"), body);
            }
            if (method.equals("POST") && "resumable".equals(q.get("uploadType"))) {
                return startResumable(bucket, q, body, headers.get("host"));
            }
        }
        throw new HttpFailure(400, "Not supported by the test server: " + method + " " + path);
    }

    private Response metadata(String bucket, String name) {
        StoredObject o;
        synchronized (bucket(bucket)) {
            o = bucket(bucket).get(name);
        }
        if (o == null) {
            throw new HttpFailure(404, "No such object: " + bucket + "/" + name);
        }
        return Response.json(200, objectJson(bucket, name, o));
    }

    private Response media(String bucket, String name, String range) {
        StoredObject o;
        synchronized (bucket(bucket)) {
            o = bucket(bucket).get(name);
        }
        if (o == null) {
            throw new HttpFailure(404, "No such object: " + bucket + "/" + name);
        }
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("x-goog-generation", String.valueOf(o.generation()));
        headers.put("x-goog-stored-content-length", String.valueOf(o.data().length));
        if (range == null) {
            return new Response(200, headers, o.data());
        }
        Matcher m = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
        if (!m.matches()) {
            throw new HttpFailure(400, "Bad range " + range);
        }
        long from = Long.parseLong(m.group(1));
        long to = m.group(2).isEmpty() ? o.data().length - 1 : Math.min(Long.parseLong(m.group(2)), o.data().length - 1);
        if (from >= o.data().length) {
            if (o.data().length == 0 && from == 0) {
                return new Response(200, headers, new byte[0]);
            }
            throw new HttpFailure(416, "Requested range not satisfiable");
        }
        headers.put("Content-Range", "bytes " + from + "-" + to + "/" + o.data().length);
        return new Response(206, headers, java.util.Arrays.copyOfRange(o.data(), (int) from, (int) to + 1));
    }

    private Response delete(String bucket, String name, Map<String, String> q) {
        synchronized (bucket(bucket)) {
            StoredObject o = bucket(bucket).get(name);
            if (o == null) {
                throw new HttpFailure(404, "No such object: " + bucket + "/" + name);
            }
            checkGeneration(q.containsKey("ifGenerationMatch") ? Long.valueOf(q.get("ifGenerationMatch")) : null, o);
            bucket(bucket).remove(name);
        }
        return new Response(204, Map.of(), new byte[0]);
    }

    private static void checkGeneration(Long ifGenerationMatch, StoredObject existing) {
        if (ifGenerationMatch == null) {
            return;
        }
        long actual = existing == null ? 0 : existing.generation();
        if (actual != ifGenerationMatch) {
            throw new HttpFailure(412, "Precondition Failed: generation is " + actual + ", not " + ifGenerationMatch);
        }
    }

    private Response list(String bucket, Map<String, String> q) {
        String prefix = q.getOrDefault("prefix", "");
        String delimiter = q.get("delimiter");
        String after = q.containsKey("pageToken") ? new String(Base64.getUrlDecoder().decode(q.get("pageToken")), StandardCharsets.UTF_8) : null;
        int max = Math.min(PAGE_SIZE, Integer.parseInt(q.getOrDefault("maxResults", String.valueOf(PAGE_SIZE))));
        List<String> items = new ArrayList<>();
        TreeSet<String> prefixes = new TreeSet<>();
        String next = null;
        synchronized (bucket(bucket)) {
            NavigableMap<String, StoredObject> tail = after == null ? bucket(bucket).tailMap(prefix, true) : bucket(bucket).tailMap(after, false);
            for (Map.Entry<String, StoredObject> e : tail.entrySet()) {
                String name = e.getKey();
                if (!name.startsWith(prefix)) {
                    break;
                }
                if (items.size() + prefixes.size() == max) {
                    // the page ends before this name: the token is the last name listed, the next page starts after it
                    next = Base64.getUrlEncoder().encodeToString(bucket(bucket).lowerKey(name).getBytes(StandardCharsets.UTF_8));
                    break;
                }
                int cut = delimiter == null ? -1 : name.indexOf(delimiter, prefix.length());
                if (cut >= 0) {
                    prefixes.add(name.substring(0, cut + delimiter.length()));
                } else {
                    items.add(objectJson(bucket, name, e.getValue()));
                }
            }
        }
        StringBuilder json = new StringBuilder("{\"kind\":\"storage#objects\"");
        if (!items.isEmpty()) {
            json.append(",\"items\":[").append(String.join(",", items)).append(']');
        }
        if (!prefixes.isEmpty()) {
            json.append(",\"prefixes\":[").append(String.join(",", prefixes.stream().map(p -> "\"" + p + "\"").toList())).append(']');
        }
        if (next != null) {
            json.append(",\"nextPageToken\":\"").append(next).append('"');
        }
        return Response.json(200, json.append('}').toString());
    }

    private Response multipartUpload(String bucket, Map<String, String> q, String contentType, byte[] body) {
        List<byte[]> parts = multipartParts(contentType, body);
        if (parts.size() != 2) {
            throw new HttpFailure(400, "A multipart upload has a metadata part and a media part, not " + parts.size());
        }
        String metadata = new String(partBody(parts.get(0)), StandardCharsets.UTF_8);
        String name = q.containsKey("name") ? q.get("name") : jsonString(metadata, "name");
        return store(bucket, name, ifGenerationMatch(q), partBody(parts.get(1)));
    }

    /** The session URL names the host the client asked (a proxy in front of this server, say), as GCS does. */
    private Response startResumable(String bucket, Map<String, String> q, byte[] body, String host) {
        String name = q.containsKey("name") ? q.get("name") : jsonString(new String(body, StandardCharsets.UTF_8), "name");
        bucket(bucket);
        String id = UUID.randomUUID().toString();
        sessions.put(id, new Session(bucket, name, ifGenerationMatch(q), new ByteArrayOutputStream()));
        return new Response(200, Map.of("Location", "http://" + host + "/upload/storage/v1/b/" + bucket + "/o?uploadType=resumable&upload_id=" + id),
                new byte[0]);
    }

    private Response resumableChunk(String id, String contentRange, byte[] body) {
        Session s = sessions.get(id);
        if (s == null) {
            throw new HttpFailure(404, "No such upload session");
        }
        synchronized (s) {
            Matcher m = CONTENT_RANGE.matcher(contentRange == null ? "bytes */*" : contentRange);
            if (!m.matches()) {
                throw new HttpFailure(400, "Bad Content-Range " + contentRange);
            }
            if (m.group(2) != null) {
                long from = Long.parseLong(m.group(2));
                long to = Long.parseLong(m.group(3));
                if (from == s.data().size() && to - from + 1 == body.length) {
                    s.data().write(body, 0, body.length);
                } else if (from > s.data().size()) {
                    throw new HttpFailure(400, "Chunk at " + from + " leaves a gap after " + s.data().size());
                }
                // a chunk that was already received (a retry) is acknowledged without appending it twice
            }
            if (!m.group(4).equals("*") && Long.parseLong(m.group(4)) == s.data().size()) {
                Response done = store(s.bucket(), s.name(), s.ifGenerationMatch(), s.data().toByteArray());
                sessions.remove(id);
                return done;
            }
            Map<String, String> headers = s.data().size() == 0 ? Map.of() : Map.of("Range", "bytes=0-" + (s.data().size() - 1));
            return new Response(308, headers, new byte[0]);
        }
    }

    private Response store(String bucket, String name, Long ifGenerationMatch, byte[] data) {
        StoredObject o;
        synchronized (bucket(bucket)) {
            checkGeneration(ifGenerationMatch, bucket(bucket).get(name));
            o = new StoredObject(data, generations.incrementAndGet(), Instant.now());
            bucket(bucket).put(name, o);
        }
        return Response.json(200, objectJson(bucket, name, o));
    }

    private static Long ifGenerationMatch(Map<String, String> q) {
        return q.containsKey("ifGenerationMatch") ? Long.valueOf(q.get("ifGenerationMatch")) : null;
    }

    private Response batch(String contentType, byte[] body) {
        String boundary = "batch_" + UUID.randomUUID();
        StringBuilder out = new StringBuilder();
        int index = 0;
        for (byte[] part : multipartParts(contentType, body)) {
            String request = new String(partBody(part), StandardCharsets.UTF_8);
            String requestLine = request.substring(0, request.indexOf("\r\n")).trim();
            String[] words = requestLine.split(" ");
            java.net.URI uri = java.net.URI.create(words[1]);
            Response r;
            try {
                r = dispatch(words[0], uri.getRawPath(), query(uri.getRawQuery()), Map.of(), new byte[0]);
            } catch (HttpFailure f) {
                r = error(f.status, f.getMessage());
            }
            out.append("--").append(boundary).append("\r\nContent-Type: application/http\r\nContent-ID: <response-").append(++index)
                    .append(">\r\n\r\nHTTP/1.1 ").append(r.status()).append(' ').append(r.status() < 300 ? "OK" : "Error").append("\r\n");
            r.headers().forEach((k, v) -> out.append(k).append(": ").append(v).append("\r\n"));
            out.append("Content-Length: ").append(r.body().length).append("\r\n\r\n")
                    .append(new String(r.body(), StandardCharsets.UTF_8)).append("\r\n");
        }
        out.append("--").append(boundary).append("--\r\n");
        return new Response(200, Map.of("Content-Type", "multipart/mixed; boundary=" + boundary), out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The parts of a multipart body, each with its headers. */
    private static List<byte[]> multipartParts(String contentType, byte[] body) {
        Matcher m = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
        if (!m.find()) {
            throw new HttpFailure(400, "No multipart boundary in " + contentType);
        }
        byte[] delimiter = ("--" + m.group(1)).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> parts = new ArrayList<>();
        int start = indexOf(body, delimiter, 0);
        while (start >= 0) {
            int contentStart = start + delimiter.length;
            if (contentStart + 1 < body.length && body[contentStart] == '-' && body[contentStart + 1] == '-') {
                break;
            }
            contentStart += 2; // CRLF after the delimiter
            int end = indexOf(body, delimiter, contentStart);
            if (end < 0) {
                break;
            }
            parts.add(java.util.Arrays.copyOfRange(body, contentStart, end - 2)); // the CRLF before the delimiter
            start = end;
        }
        return parts;
    }

    /** A part without its headers. */
    private static byte[] partBody(byte[] part) {
        int at = indexOf(part, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        return java.util.Arrays.copyOfRange(part, at + 4, part.length);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String jsonString(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        if (!m.find()) {
            throw new HttpFailure(400, "No " + field + " in " + json);
        }
        return m.group(1).replace("\\/", "/").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private String objectJson(String bucket, String name, StoredObject o) {
        CRC32C crc = new CRC32C();
        crc.update(o.data());
        byte[] crcBytes = java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        String md5;
        try {
            md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(o.data()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String escaped = name.replace("\\", "\\\\").replace("\"", "\\\"");
        String encoded = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
        return "{\"kind\":\"storage#object\",\"id\":\"" + bucket + "/" + escaped + "/" + o.generation() + "\",\"name\":\"" + escaped
                + "\",\"bucket\":\"" + bucket + "\",\"generation\":\"" + o.generation() + "\",\"metageneration\":\"1\""
                + ",\"contentType\":\"application/octet-stream\",\"storageClass\":\"STANDARD\",\"size\":\"" + o.data().length
                + "\",\"md5Hash\":\"" + md5 + "\",\"crc32c\":\"" + Base64.getEncoder().encodeToString(crcBytes)
                + "\",\"etag\":\"" + o.generation() + "\",\"timeCreated\":\"" + o.created() + "\",\"updated\":\"" + o.created()
                + "\",\"selfLink\":\"" + endpoint() + "/storage/v1/b/" + bucket + "/o/" + encoded
                + "\",\"mediaLink\":\"" + endpoint() + "/download/storage/v1/b/" + bucket + "/o/" + encoded + "?alt=media\"}";
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

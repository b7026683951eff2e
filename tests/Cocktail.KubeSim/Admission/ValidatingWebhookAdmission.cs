using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The ValidatingAdmissionWebhook plugin: every webhook of every ValidatingWebhookConfiguration whose rules,
/// namespaceSelector and objectSelector match is POSTed an admission.k8s.io/v1 AdmissionReview over HTTPS (server
/// certificate checked against clientConfig.caBundle, <c>?timeout=Ns</c> as client-go adds it, timeoutSeconds default 10).
/// Messages are the apiserver's: webhook/errors/statuserror.go ToStatusErr for a denial
/// (<c>pods "p" is forbidden: admission webhook "w" denied the request: ...</c>, 403 unless the webhook gave a code) and
/// util/webhook/error.go ErrCallingWebhook wrapped in NewInternalError for a failed call under failurePolicy Fail
/// (<c>Internal error occurred: failed calling webhook "w": failed to call webhook: Post "...": ...</c>).
/// Differences: webhooks are called one after another in configuration-name order (the apiserver calls them in parallel
/// and reports the first error), inside the simulator's write lock; matchPolicy Equivalent matches as Exact does, since
/// KubeSim serves each resource in one version; matchConditions are not evaluated.
/// </summary>
internal sealed class ValidatingWebhookAdmission(ClusterRuntime cluster) : IValidatingAdmission
{
    const string ConfigurationsKey = "admissionregistration.k8s.io/validatingwebhookconfigurations";

    /// <summary>
    /// KubeSim's own bound on a webhook's answer (3 MiB, the size of the apiserver's request body limit; no upstream
    /// limit on webhook responses was confirmed) and on its JSON depth, so a broken webhook cannot exhaust the simulator.
    /// </summary>
    const int MaxResponseBytes = 3 * 1024 * 1024;

    static readonly JsonDocumentOptions ResponseJson = new() { MaxDepth = 64 };
    static readonly ConcurrentDictionary<string, HttpClient> Clients = new();

    public void Validate(AdmissionRequest request)
    {
        var configurations = cluster.Store.List(ConfigurationsKey, null).Items;
        if (configurations.Count == 0) return;
        // The apiserver never sends its own webhook and policy configuration objects to webhooks.
        if (request.Type.Group == "admissionregistration.k8s.io") return;
        foreach (var configuration in configurations.Select(c => c.Parse()).OrderBy(c => c.Name(), StringComparer.Ordinal))
            foreach (var webhook in configuration["webhooks"].Objects())
                if (Matches(webhook, request)) Call(webhook, request);
    }

    bool Matches(JsonObject webhook, AdmissionRequest request)
    {
        if (!webhook["rules"].Objects().Any(r => ValidatingAdmissionPolicyAdmission.RuleMatches(r, request))) return false;
        if (LabelSelector.FromObject(webhook["objectSelector"]) is { IsEmpty: false } objectSelector &&
            !(request.Object is { } o && objectSelector.Matches(o) || request.OldObject is { } old && objectSelector.Matches(old))) return false;
        if (LabelSelector.FromObject(webhook["namespaceSelector"]) is { IsEmpty: false } namespaceSelector)
        {
            if (request.Type is { Group: "", Resource: "namespaces" })
                return namespaceSelector.Matches((request.Object ?? request.OldObject)!);
            if (!request.Type.Namespaced) return true;
            var ns = cluster.Store.Get("/namespaces", "", request.Namespace)?.Parse();
            if (ns is null || !namespaceSelector.Matches(ns)) return false;
        }
        return true;
    }

    void Call(JsonObject webhook, AdmissionRequest request)
    {
        var name = webhook.Str("name") ?? "";
        var ignore = webhook.Str("failurePolicy") == "Ignore";
        if (request.DryRun && webhook.Str("sideEffects") is not ("None" or "NoneOnDryRun"))
            throw ApiException.BadRequest($"admission webhook \"{name}\" does not support dry run");
        string? failure;
        try
        {
            failure = Send(webhook, request);
        }
        catch (WebhookCallException e)
        {
            failure = e.Message;
        }
        if (failure is null || ignore) return;
        throw ApiException.Internal($"failed calling webhook \"{name}\": {failure}");
    }

    /// <summary>Calls the webhook; null when it allowed the request. Throws the apiserver's denial; returns the reason a call failed.</summary>
    string? Send(JsonObject webhook, AdmissionRequest request)
    {
        var name = webhook.Str("name") ?? "";
        if (!(webhook["admissionReviewVersions"] is JsonArray versions && versions.Any(v => v?.GetValue<string>() == "v1")))
            return "could not create admission objects: webhook does not accept known AdmissionReview versions";
        var timeout = Math.Clamp((int)(webhook.Long("timeoutSeconds") ?? 10), 1, 30);
        var url = Url(webhook["clientConfig"] as JsonObject, timeout, out var unresolvable);
        if (unresolvable is not null) return unresolvable;
        var uid = Guid.NewGuid().ToString();
        var body = Encoding.UTF8.GetBytes(Review(request, uid).ToJsonString());
        var client = Clients.GetOrAdd(webhook.Str("clientConfig", "caBundle") ?? "", CreateClient);
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(timeout));
        JsonObject? review;
        try
        {
            using var response = client.Send(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var bytes = ReadBounded(response.Content.ReadAsStream(deadline.Token));
            if (!response.IsSuccessStatusCode)
                return $"failed to call webhook: an error on the server (\"{Encoding.UTF8.GetString(bytes)}\") has prevented the request from succeeding";
            review = JsonNode.Parse(bytes, documentOptions: ResponseJson) as JsonObject;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException || deadline.IsCancellationRequested)
        {
            return $"failed to call webhook: Post \"{url}\": context deadline exceeded";
        }
        catch (HttpRequestException e)
        {
            return $"failed to call webhook: Post \"{url}\": {GoError(e, url)}";
        }
        catch (JsonException e)
        {
            return $"failed to call webhook: {e.Message}";
        }
        var result = VerifyResponse(review, uid);
        if (result is string invalid) return $"received invalid webhook response: {invalid}";
        var answer = (JsonObject)result;
        foreach (var warning in answer["warnings"] is JsonArray w ? w.Select(x => x?.GetValue<string>()).OfType<string>() : [])
            request.Warnings.Add(warning);
        if (answer.Bool("allowed") == true) return null;
        throw Denial(request, name, answer["status"] as JsonObject);
    }

    static byte[] ReadBounded(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes) throw new WebhookCallException($"failed to call webhook: response body exceeds {MaxResponseBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>webhookrequest.VerifyAdmissionResponse for v1: the answer is an AdmissionReview with the request's uid.</summary>
    static object VerifyResponse(JsonObject? review, string uid)
    {
        var apiVersion = review.Str("apiVersion") ?? "";
        var kind = review.Str("kind") ?? "";
        if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
            return $"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {apiVersion}, Kind={kind}";
        if (review!["response"] is not JsonObject response) return "webhook response was absent";
        var got = response.Str("uid") ?? "";
        if (got != uid) return $"expected response.uid=\"{uid}\", got \"{got}\"";
        return response;
    }

    /// <summary>webhookerrors.ToStatusErr.</summary>
    static ApiException Denial(AdmissionRequest request, string webhookName, JsonObject? status)
    {
        var code = (int)(status.Long("code") ?? 0);
        if (code == 0) code = 403;
        var deniedBy = $"admission webhook \"{webhookName}\" denied the request";
        var message = status.Str("message") is { Length: > 0 } m ? $"{deniedBy}: {m}"
            : status.Str("reason") is { Length: > 0 } r ? $"{deniedBy}: {r}"
            : $"{deniedBy} without explanation";
        var name = request.Name.Length > 0 ? request.Name : "Unknown";
        var reason = status.Str("reason") is { Length: > 0 } given ? given : code == 500 ? "InternalError" : "Forbidden";
        if (code == 500)
        {
            var internalError = ApiException.Internal(message);
            return new ApiException(code, reason, internalError.Message, status?["details"] is JsonObject d ? d.CloneObject() : internalError.Details);
        }
        var forbidden = ApiException.Forbidden(request.Type.Group, request.Type.Resource, name, message);
        return new ApiException(code, reason, forbidden.Message, status?["details"] is JsonObject details ? details.CloneObject() : forbidden.Details);
    }

    /// <summary>clientConfig.url, or the service's in-cluster address, with the <c>timeout</c> query client-go adds.</summary>
    Uri Url(JsonObject? clientConfig, int timeoutSeconds, out string? unresolvable)
    {
        unresolvable = null;
        string target;
        if (clientConfig.Str("url") is { Length: > 0 } url) target = url;
        else
        {
            var service = clientConfig?["service"] as JsonObject;
            var (ns, svc) = (service.Str("namespace") ?? "", service.Str("name") ?? "");
            target = $"https://{svc}.{ns}.svc:{service.Long("port") ?? 443}{service.Str("path") ?? ""}";
            // No simulated network carries traffic to a Service from the apiserver: an absent Service is what the
            // apiserver's resolver reports; a present one cannot be reached.
            unresolvable = cluster.Store.Get("/services", ns, svc) is null
                ? $"failed to call webhook: service \"{svc}\" not found"
                : $"failed to call webhook: Post \"{target}?timeout={timeoutSeconds}s\": no endpoints available for service \"{svc}\"";
        }
        var builder = new UriBuilder(target);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : "") + $"timeout={timeoutSeconds}s";
        return builder.Uri;
    }

    static HttpClient CreateClient(string caBundle)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), AllowAutoRedirect = false, UseProxy = false };
        if (caBundle.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            try { roots.ImportFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(caBundle))); }
            catch (FormatException) { }
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || roots.Count == 0) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The Go net/http error text a client sees for the common failures.</summary>
    static string GoError(HttpRequestException e, Uri url) => e switch
    {
        { InnerException: AuthenticationException } => "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } =>
            $"dial tcp {url.Host}:{url.Port}: connect: connection refused",
        { InnerException: SocketException s } => $"dial tcp {url.Host}:{url.Port}: {s.Message}",
        _ => e.Message,
    };

    static JsonObject Review(AdmissionRequest request, string uid)
    {
        var type = request.Type;
        JsonNode? Typed(JsonObject? o) => o is null ? null : ObjectMetadata.WithTypeMeta(o.CloneObject(), type.Kind, type.GroupVersion);
        var optionsKind = request.Operation switch { "CREATE" => "CreateOptions", "UPDATE" => "UpdateOptions", "DELETE" => "DeleteOptions", _ => null };
        var body = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
            ["resource"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Resource },
        };
        if (request.Subresource.Length > 0) body["subResource"] = request.Subresource;
        body["requestKind"] = body["kind"]!.DeepClone();
        body["requestResource"] = body["resource"]!.DeepClone();
        if (request.Subresource.Length > 0) body["requestSubResource"] = request.Subresource;
        if (request.Name.Length > 0) body["name"] = request.Name;
        if (request.Namespace.Length > 0) body["namespace"] = request.Namespace;
        body["operation"] = request.Operation;
        var user = new JsonObject { ["username"] = request.User.Name };
        if (request.User.Uid.Length > 0) user["uid"] = request.User.Uid;
        if (request.User.Groups.Count > 0) user["groups"] = new JsonArray(request.User.Groups.Select(g => (JsonNode)g!).ToArray());
        if (request.User.Extra.Count > 0)
            user["extra"] = new JsonObject(request.User.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode)v!).ToArray()))));
        body["userInfo"] = user;
        body["object"] = Typed(request.Object);
        body["oldObject"] = Typed(request.OldObject);
        body["dryRun"] = request.DryRun;
        if (optionsKind is not null)
        {
            var options = new JsonObject { ["kind"] = optionsKind, ["apiVersion"] = "meta.k8s.io/v1" };
            if (request.DryRun) options["dryRun"] = new JsonArray("All");
            body["options"] = options;
        }
        return new JsonObject { ["kind"] = "AdmissionReview", ["apiVersion"] = "admission.k8s.io/v1", ["request"] = body };
    }

    sealed class WebhookCallException(string message) : Exception(message);
}

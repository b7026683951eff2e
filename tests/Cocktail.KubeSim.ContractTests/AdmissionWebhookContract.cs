using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Validating admission webhooks as clients experience them. Simulator-only: the webhook listens on 127.0.0.1 of the
/// test machine, which a real cluster's apiserver cannot reach. Every configuration selects the test's own namespace,
/// so the rest of the suite never meets it.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class AdmissionWebhookContract(ClusterUnderTest cluster)
{
    const string ScannedRegistry = "registry.cocktail.io/";

    IKubernetes Client => cluster.Client;

    /// <summary>A ValidatingWebhookConfiguration with one webhook on the namespace's pods, deleted when disposed.</summary>
    async Task<Configured> Configure(string ns, string webhookName, string url, string? caBundle, string failurePolicy = "Fail", int? timeoutSeconds = null)
    {
        var name = $"{webhookName}-{ns}";
        await Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = webhookName,
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = url, CaBundle = caBundle is null ? null : Convert.FromBase64String(caBundle) },
                    Rules = [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE", "UPDATE"], Resources = ["pods"], Scope = "Namespaced" }],
                    NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } },
                    FailurePolicy = failurePolicy,
                    SideEffects = "None",
                    AdmissionReviewVersions = ["v1"],
                    TimeoutSeconds = timeoutSeconds,
                },
            ],
        });
        return new Configured(Client, name);
    }

    sealed record Configured(IKubernetes Client, string Name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(Name);
    }

    static string? UnscannedImage(JsonObject request) =>
        request["object"]?["spec"]?["containers"] is JsonArray containers &&
        containers.Select(c => c?["image"]?.GetValue<string>() ?? "").FirstOrDefault(i => !i.StartsWith(ScannedRegistry, StringComparison.Ordinal)) is { } image
            ? $"image {image} has not been scanned"
            : null;

    [SkippableFact]
    public async Task a_webhook_denial_is_403_with_the_apiservers_message_and_an_allowed_pod_is_created()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        webhook.Decide = UnscannedImage;
        var ns = await cluster.NewNamespaceAsync("webhook");
        await using (await Configure(ns, "images.cocktail.io", webhook.Url, webhook.CaBundle))
        {
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("unscanned"), ns));
            Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
            Assert.Equal("Forbidden", error.Reason);
            Assert.Equal("pods \"unscanned\" is forbidden: admission webhook \"images.cocktail.io\" denied the request: image nginx:1.27 has not been scanned", error.Message);
            await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Client.CoreV1.ReadNamespacedPodAsync("unscanned", ns));

            var pod = await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("scanned", Manifests.Container(image: ScannedRegistry + "app:1")), ns);
            Assert.Equal("scanned", pod.Metadata.Name);
        }
    }

    [SkippableFact]
    public async Task the_webhook_receives_a_v1_admission_review_with_the_pod_and_the_operation()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        var ns = await cluster.NewNamespaceAsync("webhook-review");
        await using (await Configure(ns, "review.cocktail.io", webhook.Url, webhook.CaBundle))
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("reviewed"), ns);
            var create = Assert.Single(webhook.Reviews);
            Assert.Equal("admission.k8s.io/v1", create["apiVersion"]!.GetValue<string>());
            Assert.Equal("AdmissionReview", create["kind"]!.GetValue<string>());
            var request = create["request"]!;
            Assert.False(string.IsNullOrEmpty(request["uid"]!.GetValue<string>()));
            Assert.Equal("CREATE", request["operation"]!.GetValue<string>());
            Assert.Equal("Pod", request["kind"]!["kind"]!.GetValue<string>());
            Assert.Equal("v1", request["kind"]!["version"]!.GetValue<string>());
            Assert.Equal("pods", request["resource"]!["resource"]!.GetValue<string>());
            Assert.Equal("pods", request["requestResource"]!["resource"]!.GetValue<string>());
            Assert.Equal("reviewed", request["name"]!.GetValue<string>());
            Assert.Equal(ns, request["namespace"]!.GetValue<string>());
            Assert.False(request["dryRun"]!.GetValue<bool>());
            Assert.Equal("CreateOptions", request["options"]!["kind"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(request["userInfo"]!["username"]!.GetValue<string>()));
            Assert.Equal("Pod", request["object"]!["kind"]!.GetValue<string>());
            Assert.Equal("nginx:1.27", request["object"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
            Assert.Null(request["oldObject"]);

            await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"reviewed":"yes"}}}""", V1Patch.PatchType.MergePatch), "reviewed", ns);
            var update = webhook.Reviews.Last()["request"]!;
            Assert.Equal("UPDATE", update["operation"]!.GetValue<string>());
            Assert.Equal("yes", update["object"]!["metadata"]!["labels"]!["reviewed"]!.GetValue<string>());
            Assert.Null(update["oldObject"]!["metadata"]!["labels"]?["reviewed"]);
        }
    }

    [SkippableFact]
    public async Task a_namespace_selector_keeps_the_webhook_out_of_other_namespaces()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        webhook.Decide = _ => "no pods here";
        var guarded = await cluster.NewNamespaceAsync("webhook-guarded");
        var other = await cluster.NewNamespaceAsync("webhook-other");
        await using (await Configure(guarded, "guard.cocktail.io", webhook.Url, webhook.CaBundle))
        {
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("refused"), guarded));
            Assert.Equal("pods \"refused\" is forbidden: admission webhook \"guard.cocktail.io\" denied the request: no pods here", error.Message);
            var reviewed = webhook.Reviews.Count;

            var pod = await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("elsewhere"), other);
            Assert.Equal(other, pod.Metadata.NamespaceProperty);
            Assert.Equal(reviewed, webhook.Reviews.Count);
        }
    }

    [SkippableFact]
    public async Task a_denial_answers_with_the_code_the_webhook_gave()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        webhook.Decide = _ => "replicas must be named";
        webhook.DenialCode = 422;
        var ns = await cluster.NewNamespaceAsync("webhook-code");
        await using (await Configure(ns, "code.cocktail.io", webhook.Url, webhook.CaBundle))
        {
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("coded"), ns));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
            Assert.Equal("Forbidden", error.Reason);
            Assert.Equal("pods \"coded\" is forbidden: admission webhook \"code.cocktail.io\" denied the request: replicas must be named", error.Message);
        }
    }

    [SkippableFact]
    public async Task an_unreachable_webhook_refuses_with_500_under_fail_and_is_skipped_under_ignore()
    {
        SimulatorOnly.Require();
        var ns = await cluster.NewNamespaceAsync("webhook-down");
        var port = EchoBackend.FreePort();
        var url = $"https://127.0.0.1:{port}/validate";
        await using (await Configure(ns, "down.cocktail.io", url, caBundle: null))
        {
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("blocked"), ns));
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            Assert.Equal("InternalError", error.Reason);
            Assert.Equal($"Internal error occurred: failed calling webhook \"down.cocktail.io\": failed to call webhook: Post \"{url}?timeout=10s\": dial tcp 127.0.0.1:{port}: connect: connection refused", error.Message);
        }

        await using (await Configure(ns, "down.cocktail.io", url, caBundle: null, failurePolicy: "Ignore"))
        {
            var pod = await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("admitted"), ns);
            Assert.Equal("admitted", pod.Metadata.Name);
        }
    }

    [SkippableFact]
    public async Task a_slow_webhook_fails_after_its_timeout_seconds()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        webhook.Delay = TimeSpan.FromSeconds(10);
        var ns = await cluster.NewNamespaceAsync("webhook-slow");
        await using (await Configure(ns, "slow.cocktail.io", webhook.Url, webhook.CaBundle, timeoutSeconds: 1))
        {
            var clock = Stopwatch.StartNew();
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("late"), ns));
            clock.Stop();
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            Assert.Equal($"Internal error occurred: failed calling webhook \"slow.cocktail.io\": failed to call webhook: Post \"{webhook.Url}?timeout=1s\": context deadline exceeded", error.Message);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
        }
    }

    [SkippableFact]
    public async Task a_server_certificate_the_ca_bundle_does_not_sign_is_a_failed_call()
    {
        SimulatorOnly.Require();
        await using var webhook = await AdmissionWebhookServer.StartAsync();
        await using var stranger = await AdmissionWebhookServer.StartAsync();
        var ns = await cluster.NewNamespaceAsync("webhook-tls");
        await using (await Configure(ns, "tls.cocktail.io", webhook.Url, stranger.CaBundle))
        {
            var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("untrusted"), ns));
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
            Assert.Equal($"Internal error occurred: failed calling webhook \"tls.cocktail.io\": failed to call webhook: Post \"{webhook.Url}?timeout=10s\": tls: failed to verify certificate: x509: certificate signed by unknown authority", error.Message);
            Assert.Empty(webhook.Reviews);
        }
    }

    [SkippableFact]
    public async Task webhook_configurations_are_listed_and_deleted()
    {
        SimulatorOnly.Require();
        var ns = await cluster.NewNamespaceAsync("webhook-crud");
        var configuration = (await Configure(ns, "crud.cocktail.io", "https://127.0.0.1:1/validate", caBundle: Convert.ToBase64String(Encoding.UTF8.GetBytes("not a certificate")), failurePolicy: "Ignore")).Name;
        var listed = await Client.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync();
        var stored = Assert.Single(listed.Items, c => c.Metadata.Name == configuration);
        Assert.Equal("crud.cocktail.io", stored.Webhooks.Single().Name);
        await Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(configuration);
        listed = await Client.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync();
        Assert.DoesNotContain(listed.Items, c => c.Metadata.Name == configuration);
    }
}

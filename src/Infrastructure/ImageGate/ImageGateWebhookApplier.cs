using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.ImageGate;

/// <summary>
/// The image gate's ValidatingWebhookConfiguration, server-side applied (field manager "cocktail"): one webhook asking
/// Cocktail about pods and pod-template owners created or updated in namespaces whose service map's policy gates images.
/// </summary>
public sealed class ImageGateWebhookApplier(ClusterClientFactory clients) : IImageGateWebhookApplier
{
    public const string ConfigurationName = "cocktail-image-gate";
    public const string WebhookName = "images.cocktail.io";

    public Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ImageGateWebhook webhook, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            await client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(Apply(For(webhook)), ConfigurationName,
                fieldManager: ServiceMapManifest.FieldManager, force: true, cancellationToken: ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            await DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(ConfigurationName, cancellationToken: ct));
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public static V1ValidatingWebhookConfiguration For(ImageGateWebhook webhook) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1", Kind = "ValidatingWebhookConfiguration",
        Metadata = new V1ObjectMeta
        {
            Name = ConfigurationName,
            Labels = new Dictionary<string, string> { [ServiceMapManifest.ManagedByLabel] = "cocktail" },
        },
        Webhooks =
        [
            new V1ValidatingWebhook
            {
                Name = WebhookName,
                AdmissionReviewVersions = ["v1"],
                SideEffects = "None",
                FailurePolicy = "Fail",
                MatchPolicy = "Equivalent",
                TimeoutSeconds = webhook.TimeoutSeconds,
                ClientConfig = new Admissionregistrationv1WebhookClientConfig
                {
                    Url = webhook.Url, CaBundle = Encoding.UTF8.GetBytes(webhook.CaBundlePem),
                },
                NamespaceSelector = new V1LabelSelector
                {
                    MatchExpressions =
                    [
                        new V1LabelSelectorRequirement
                        {
                            Key = ServiceMapManifest.ImageGateLabel, OperatorProperty = "In", Values = [ServiceMapManifest.ImageGateEnforced],
                        },
                    ],
                },
                Rules = AdmissionReviews.Judged.GroupBy(j => j.Group).Select(g => new V1RuleWithOperations
                {
                    ApiGroups = [g.Key], ApiVersions = ["v1"], Operations = ["CREATE", "UPDATE"], Scope = "Namespaced",
                    // kubectl debug adds containers through the ephemeralcontainers subresource: asked about too.
                    Resources = g.Select(j => j.Resource).Concat(g.Key == "" ? ["pods/ephemeralcontainers"] : []).ToList(),
                }).ToList(),
            },
        ],
    };
}

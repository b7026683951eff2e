using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Domain.ImageScanning;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.ImageScanning.ConfiguringGate;

/// <summary>The cluster's image gate: its URL, the full webhook URL, and whether the cluster holds the configuration.</summary>
public sealed record GetImageGate(Guid ClusterId) : IRequest<ImageGateSettings>;

/// <summary>
/// <see cref="Enforced"/> is false while no URL is set or the configuration is not (yet) on the cluster: the cluster
/// then admits pods without asking Cocktail, and <see cref="Explanation"/> says so.
/// </summary>
public sealed record ImageGateSettings(Guid ClusterId, string ClusterName, string? WebhookUrl, string? AdmissionUrl, string State,
    string? StateMessage, DateTimeOffset? StateAt, string? ConfiguredBy, DateTimeOffset? ConfiguredAt, bool Enforced, string Explanation,
    bool ListenerEnabled);

public static class GetImageGateHandler
{
    public static async Task<Result<ImageGateSettings>> Handle(GetImageGate query, Actor actor, IQuerySession session,
        IOptions<ImageGateOptions> options, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null || !await ClusterScope.CanSeeAsync(actor, query.ClusterId, session, ct)) return Failure.NotFound("No such cluster.");
        var view = await session.LoadAsync<ClusterImageGateView>(ClusterImageGate.StreamIdFor(query.ClusterId), ct);
        var listening = !string.IsNullOrWhiteSpace(options.Value.Listen);
        var url = view?.WebhookUrl;
        var state = view?.State ?? "NotConfigured";
        var enforced = url is not null && state == "Applied";
        var explanation = url is null
            ? "No webhook URL is set: the cluster does not ask Cocktail before it admits a pod; only deploys through Cocktail are checked."
            : state switch
            {
                "Applied" => "The cluster asks Cocktail before it admits a pod in a namespace whose policy gates images.",
                "Failed" => "The cluster refused the webhook configuration: it does not ask Cocktail yet.",
                _ => "The webhook configuration is on its way to the cluster.",
            };
        return new ImageGateSettings(cluster.Id, cluster.Name, url, url is null ? null : AdmissionPaths.Url(url, cluster.Id), view is null ? "NotConfigured" : state,
            view?.StateMessage, view?.StateAt, view?.ConfiguredBy, view?.ConfiguredAt, enforced, explanation, listening);
    }
}

public static class AdmissionPaths
{
    public static string Path(Guid clusterId) => $"/api/v1/admission/clusters/{clusterId}/pods";

    public static string Url(string webhookUrl, Guid clusterId) => webhookUrl.TrimEnd('/') + Path(clusterId);
}

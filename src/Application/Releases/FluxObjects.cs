using System.Globalization;
using System.Text.Json.Nodes;
using Cocktail.Domain.Charts;

namespace Cocktail.Application.Releases;

/// <summary>
/// The Flux objects of a release, as Cocktail applies them (server-side apply, field manager <c>cocktail</c>): the
/// source (<c>HelmRepository</c> of <c>spec.type</c> default or oci, source.toolkit.fluxcd.io/v1) and the
/// <c>HelmRelease</c> (helm.toolkit.fluxcd.io/v2), both in the release's namespace so no cross-namespace reference is
/// needed. A team release also gets the service map's <c>cocktail-helm</c> ServiceAccount bound to the <c>admin</c>
/// ClusterRole in that namespace only, and the HelmRelease's <c>spec.serviceAccountName</c> names it: helm-controller
/// impersonates it, so the chart can create nothing outside the namespace or beyond its quota and policies.
/// </summary>
public static class FluxObjects
{
    public const string SourceApiVersion = "source.toolkit.fluxcd.io/v1";
    public const string HelmApiVersion = "helm.toolkit.fluxcd.io/v2";
    public const string ServiceAccountName = "cocktail-helm";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ReleaseIdLabel = "cocktail.io/release-id";
    public const string RevisionAnnotation = "cocktail.io/revision";

    /// <summary>Namespaces that exist on every cluster, which Cocktail does not apply (and so does not co-own).</summary>
    private static readonly HashSet<string> SystemNamespaces = new(StringComparer.Ordinal) { "default", "kube-system", "kube-public" };

    public static IReadOnlyList<JsonObject> Build(ChartRelease release)
    {
        var ns = release.Target.Namespace;
        var objects = new List<JsonObject>();
        if (release.Target.IsAddon && !SystemNamespaces.Contains(ns))
            objects.Add(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = new JsonObject { [ManagedByLabel] = "cocktail" } },
            });
        if (!release.Target.IsAddon)
        {
            objects.Add(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "ServiceAccount",
                ["metadata"] = Metadata(ServiceAccountName, ns, null, null),
            });
            objects.Add(new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "RoleBinding",
                ["metadata"] = Metadata(ServiceAccountName, ns, null, null),
                ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "admin" },
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = ServiceAccountName, ["namespace"] = ns }),
            });
        }
        var source = new JsonObject { ["interval"] = "10m", ["url"] = release.Source.RepositoryUrl };
        if (release.Source.Kind == ChartRepositoryKind.Oci) source["type"] = "oci";
        objects.Add(new JsonObject
        {
            ["apiVersion"] = SourceApiVersion, ["kind"] = "HelmRepository",
            ["metadata"] = Metadata(release.Name, ns, release.Id, null),
            ["spec"] = source,
        });
        objects.Add(HelmRelease(release));
        return objects;
    }

    public static JsonObject HelmRelease(ChartRelease release)
    {
        var spec = new JsonObject
        {
            ["interval"] = "10m",
            ["releaseName"] = release.Name,
            ["chart"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["chart"] = release.Source.Chart,
                    ["version"] = release.Version,
                    ["sourceRef"] = new JsonObject { ["kind"] = "HelmRepository", ["name"] = release.Name },
                },
            },
            // A failed install is uninstalled and tried once more; a failed upgrade is rolled back to the last
            // release that worked, tried once more, and rolled back again if it fails again (remediateLastFailure).
            ["install"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 1 } },
            ["upgrade"] = new JsonObject
            {
                ["remediation"] = new JsonObject { ["retries"] = 1, ["remediateLastFailure"] = true, ["strategy"] = "rollback" },
            },
        };
        if (!release.Target.IsAddon) spec["serviceAccountName"] = ServiceAccountName;
        if (release.Values.Count > 0) spec["values"] = release.Values.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = HelmApiVersion, ["kind"] = "HelmRelease",
            ["metadata"] = Metadata(release.Name, release.Target.Namespace, release.Id, release.Revision),
            ["spec"] = spec,
        };
    }

    private static JsonObject Metadata(string name, string ns, Guid? releaseId, int? revision)
    {
        var labels = new JsonObject { [ManagedByLabel] = "cocktail" };
        if (releaseId is { } id) labels[ReleaseIdLabel] = id.ToString();
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels };
        if (revision is { } r) metadata["annotations"] = new JsonObject { [RevisionAnnotation] = r.ToString(CultureInfo.InvariantCulture) };
        return metadata;
    }
}

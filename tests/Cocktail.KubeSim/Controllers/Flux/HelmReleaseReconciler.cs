using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Rbac;
using Cocktail.KubeSim.Registry;
using static Cocktail.KubeSim.Controllers.ClusterApi.ClusterApiController;

namespace Cocktail.KubeSim.Controllers.Flux;

/// <summary>
/// helm-controller's HelmRelease reconciler (internal/reconcile: atomic release, install, upgrade, test, rollback and
/// uninstall remediation, uninstall on deletion), one action per step. Helm's work is done in-process: values are
/// coalesced and validated against values.schema.json, templates without <c>{{</c> are applied as plain manifests, and
/// Helm's storage Secret <c>sh.helm.release.v1.&lt;release&gt;.v&lt;N&gt;</c> records each release.
/// </summary>
internal sealed partial class FluxController
{
    ResourceType ReleaseType => Cluster.Type(HelmGroup, "helmreleases");

    /// <summary>What a release action needs: the chart, the values (user overrides and coalesced), where and as whom.</summary>
    sealed record Desired(HelmChartFiles Chart, JsonObject Overrides, JsonObject Values, string ConfigDigest, string Revision, string? OciDigest,
        string ReleaseName, string ReleaseNamespace, string StorageNamespace, UserInfo User, int MaxHistory);

    static string ReleaseName(JsonObject hr)
    {
        if (hr.Str("spec", "releaseName") is { Length: > 0 } explicitName) return explicitName;
        // api/v2 GetReleaseName: "[TargetNamespace-]Name", shortened with a hash beyond 53 characters.
        var name = hr.Str("spec", "targetNamespace") is { Length: > 0 } target ? $"{target}-{hr.Name()}" : hr.Name();
        if (name.Length <= 53) return name;
        return $"{name[..40]}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12]}";
    }

    /// <summary>
    /// The identity Helm acts as: with spec.serviceAccountName, helm-controller impersonates
    /// <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c> (fluxcd/pkg runtime/client impersonation); the apiserver's
    /// impersonation filter gives a service account user its groups (system:serviceaccounts, system:serviceaccounts:&lt;ns&gt;).
    /// Without it, helm-controller's own account (bound to cluster-admin by <c>flux install</c>).
    /// </summary>
    UserInfo ReleaseUser(JsonObject hr)
    {
        var ns = hr.Namespace();
        var sa = hr.Str("spec", "serviceAccountName");
        if (sa is null) return UserInfo.ForServiceAccount("flux-system", HelmManager, "");
        var account = Cluster.Registry.TryGet(Cluster.Type("", "serviceaccounts"), ns, sa);
        return UserInfo.ForServiceAccount(ns, sa, account?.Uid() ?? "");
    }

    void ReconcileHelmRelease(string key, string ns, string name)
    {
        var type = ReleaseType;
        var hr = Cluster.Registry.TryGet(type, ns, name);
        if (hr is null) return;
        var now = Now;
        if (hr.IsDeleting())
        {
            if (!hr.Finalizers().Contains(Finalizer)) return;
            if (hr.Bool("spec", "suspend") != true) UninstallOnDelete(hr);
            DeleteHelmChart(hr);
            WriteObject(type, hr, HelmManager, o => o.SetFinalizers(o.Finalizers().Where(f => f != Finalizer)));
            return;
        }
        if (!hr.Finalizers().Contains(Finalizer)) hr = WriteObject(type, hr, HelmManager, o => o.SetFinalizers([.. o.Finalizers(), Finalizer]));
        if (hr.Bool("spec", "suspend") == true) return;

        var (chartBytes, revision, ociDigest, artifactError, artifactReason) = ChartArtifact(hr);
        if (artifactError is not null)
        {
            WriteStatus(type, hr, HelmManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                SetCondition(o, "Ready", "False", artifactReason!, artifactError, now);
            });
            return;
        }
        if (chartBytes is null) return; // the source is still working
        HelmChartFiles chart;
        try { chart = HelmChartFiles.Load(chartBytes); }
        catch (Exception e) when (e is InvalidDataException or YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            WriteStatus(type, hr, HelmManager, o => SetCondition(o, "Ready", "False", "ArtifactFailed", $"Failed to load chart: {e.Message}", now));
            return;
        }
        var overrides = hr.At("spec", "values") as JsonObject ?? [];
        var values = HelmValues.Coalesce(chart.Values, overrides);
        var desired = new Desired(chart, overrides, values, ConfigDigest(overrides), revision!, ociDigest, ReleaseName(hr),
            hr.Str("spec", "targetNamespace") ?? ns, hr.Str("spec", "storageNamespace") ?? ns, ReleaseUser(hr), MaxHistory(hr));

        var history = hr.At("status", "history").Objects().ToList();
        var latest = history.FirstOrDefault();
        var generation = hr.Long("metadata", "generation") ?? 1;
        var attemptedSame = hr.Str("status", "lastAttemptedRevision") == chart.Version
                            && hr.Str("status", "lastAttemptedConfigDigest") == desired.ConfigDigest
                            && hr.Long("status", "lastAttemptedGeneration") == generation;
        var inSync = latest is not null && latest.Str("status") == "deployed" && latest.Str("chartVersion") == chart.Version
                     && latest.Str("configDigest") == desired.ConfigDigest;
        if (!attemptedSame && hr.At("status", "lastAttemptedGeneration") is not null && !inSync)
        {
            // A new desired state starts a new series of attempts (Status.ClearFailures on a new generation/revision).
            hr = WriteStatus(type, hr, HelmManager, o =>
            {
                var s = o.Obj("status");
                s.Remove("installFailures"); s.Remove("upgradeFailures"); s.Remove("failures");
                RemoveCondition(o, "Stalled");
            });
        }
        if (inSync)
        {
            MarkInSync(hr, desired, latest!, now);
            return;
        }

        var lastAction = hr.Str("status", "lastAttemptedReleaseAction") ?? "install";
        var remediation = hr.At("spec", lastAction, "remediation");
        var retries = (int)(remediation?.Long("retries") ?? 0);
        var failures = (int)(hr.Long("status", lastAction == "install" ? "installFailures" : "upgradeFailures") ?? 0);
        var remediateLast = remediation?.Bool("remediateLastFailure") ?? retries > 0;

        // The latest release failed on this desired state: remediate once, then retry while retries remain.
        if (latest?.Str("status") == "failed" && attemptedSame && Condition(hr, "Remediated") is null && (failures <= retries || remediateLast) && (retries > 0 || remediateLast))
        {
            if (!Due(key, hr.Uid(), "remediate")) return;
            Remediate(hr, desired, lastAction, now);
            return;
        }
        if (attemptedSame && failures > retries)
        {
            var verb = lastAction == "install" ? "install" : "upgrade";
            WriteStatus(type, hr, HelmManager, o => SetCondition(o, "Stalled", "True", "RetriesExceeded", $"Failed to {verb} after {failures} attempt(s)", now));
            return;
        }
        var install = latest is null || latest.Str("status") is "uninstalled";
        if (!Due(key, hr.Uid(), "release", attemptedSame && failures == 0 && Condition(hr, "Released")?.Str("status") == "False"
                ? GoDuration.Parse(hr.Str("spec", "interval")) ?? TimeSpan.FromMinutes(10) : null)) return;
        Release(hr, desired, install, history, now);
    }

    /// <summary>The chart bytes from the HelmChart (spec.chart, created here as helm-controller does) or the OCIRepository (spec.chartRef).</summary>
    (byte[]? Bytes, string? Revision, string? OciDigest, string? Error, string? Reason) ChartArtifact(JsonObject hr)
    {
        if (hr.At("spec", "chartRef") is JsonObject chartRef)
        {
            var refNs = chartRef.Str("namespace") ?? hr.Namespace();
            var kind = chartRef.Str("kind") ?? "OCIRepository";
            var source = kind == "OCIRepository" ? Cluster.Registry.TryGet(SourceType("ocirepositories"), refNs, chartRef.Str("name") ?? "")
                : Cluster.Registry.TryGet(SourceType("helmcharts"), refNs, chartRef.Str("name") ?? "");
            if (source is null) return (null, null, null, $"could not get Source object: {kind}.{SourceGroup} \"{chartRef.Str("name")}\" not found", "ArtifactFailed");
            return Artifact(kind, source);
        }
        var template = hr.At("spec", "chart", "spec") as JsonObject;
        if (template is null) return (null, null, null, "one of chart or chartRef must be set", "ArtifactFailed");
        var sourceNs = template.Str("sourceRef", "namespace") ?? hr.Namespace();
        var chartName = $"{hr.Namespace()}-{hr.Name()}";
        var chartType = SourceType("helmcharts");
        var wanted = new JsonObject
        {
            ["chart"] = template.Str("chart"),
            ["version"] = template.Str("version") ?? "*",
            ["sourceRef"] = new JsonObject { ["kind"] = template.Str("sourceRef", "kind"), ["name"] = template.Str("sourceRef", "name") },
            ["interval"] = template.Str("interval") ?? hr.Str("spec", "interval"),
            ["reconcileStrategy"] = template.Str("reconcileStrategy") ?? "ChartVersion",
        };
        var existing = Cluster.Registry.TryGet(chartType, sourceNs, chartName);
        if (existing is null)
        {
            // helm-controller's helmchart_template.go: "<namespace>-<name>" in the source's namespace, labelled with the release.
            Cluster.Registry.Create(chartType, sourceNs, new JsonObject
            {
                ["apiVersion"] = $"{SourceGroup}/v1", ["kind"] = "HelmChart",
                ["metadata"] = new JsonObject
                {
                    ["name"] = chartName, ["namespace"] = sourceNs,
                    ["labels"] = new JsonObject { ["helm.toolkit.fluxcd.io/name"] = hr.Name(), ["helm.toolkit.fluxcd.io/namespace"] = hr.Namespace() },
                },
                ["spec"] = wanted,
            }, WriteOptions.Internal(HelmManager));
            _events.Normal(hr, "HelmRelease", "HelmChartCreated", $"Created HelmChart/{sourceNs}/{chartName} with SourceRef '{template.Str("sourceRef", "kind")}/{sourceNs}/{template.Str("sourceRef", "name")}'", HelmManager);
            WriteStatus(ReleaseType, hr, HelmManager, o => o.Obj("status")["helmChart"] = $"{sourceNs}/{chartName}");
            return (null, null, null, null, null);
        }
        if (!JsonNode.DeepEquals(existing["spec"]?["chart"], wanted["chart"]) || !JsonNode.DeepEquals(existing["spec"]?["version"], wanted["version"])
            || !JsonNode.DeepEquals(existing["spec"]?["sourceRef"], wanted["sourceRef"]) || !JsonNode.DeepEquals(existing["spec"]?["interval"], wanted["interval"]))
        {
            WriteObject(chartType, existing, HelmManager, o => { foreach (var (k, v) in wanted) o.Obj("spec")[k] = v?.DeepClone(); });
            return (null, null, null, null, null);
        }
        // Wait until source-controller has observed the HelmChart's latest spec (helm-controller checks the observed generation).
        if (existing.Long("status", "observedGeneration") != existing.Long("metadata", "generation")) return (null, null, null, null, null);
        return Artifact("HelmChart", existing);
    }

    (byte[]? Bytes, string? Revision, string? OciDigest, string? Error, string? Reason) Artifact(string kind, JsonObject source)
    {
        var ready = Condition(source, "Ready");
        if (ready?.Str("status") != "True")
        {
            if (ready is null) return (null, null, null, null, null);
            // helm-controller reconcileRelease (isSourceReady): Ready=False, reason SourceNotReady, "HelmChart 'ns/name' is not
            // ready: <its Ready message>"; it waits for the source's watch to requeue it, nothing has failed yet.
            return (null, null, null, $"{kind} '{source.Namespace()}/{source.Name()}' is not ready: {ready.Str("message")}", "SourceNotReady");
        }
        var url = source.Str("status", "artifact", "url");
        if (url is null || !_artifacts.TryGetValue(url, out var bytes))
            return (null, null, null, "Source not ready: artifact not found. Retrying in 5s", "ArtifactFailed"); // loader.ErrFileNotFound, --requeue-dependency=5s
        var revision = source.Str("status", "artifact", "revision")!;
        string? ociDigest = null;
        if (kind == "OCIRepository" && revision.IndexOf('@') is var at and > 0) { ociDigest = revision[(at + 1)..]; revision = revision[..at]; }
        return (bytes, revision, ociDigest, null, null);
    }

    /// <summary>chartutil.DigestValues: sha256 over the values as canonical JSON (keys sorted).</summary>
    static string ConfigDigest(JsonObject values) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(values)!.ToJsonString())));

    static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    void MarkInSync(JsonObject hr, Desired desired, JsonObject latest, string now)
    {
        var type = ReleaseType;
        var testsEnabled = hr.Bool("spec", "test", "enable") == true;
        WriteStatus(type, hr, HelmManager, o =>
        {
            var s = o.Obj("status");
            s["observedGeneration"] = o.Long("metadata", "generation");
            s["lastAttemptedGeneration"] = o.Long("metadata", "generation");
            s["lastAttemptedRevision"] = desired.Chart.Version;
            s["lastAttemptedConfigDigest"] = desired.ConfigDigest;
            s["storageNamespace"] = desired.StorageNamespace;
            var released = Condition(o, "Released");
            if (released is null || released.Str("status") != "True")
                SetCondition(o, "Released", "True", "UpgradeSucceeded", $"Helm upgrade succeeded for release {FullName(latest)} with chart {latest.Str("chartName")}@{latest.Str("chartVersion")}", now);
            if (testsEnabled && Condition(o, "TestSuccess")?.Str("status") != "True")
                SetCondition(o, "TestSuccess", "True", "TestSucceeded", $"Helm test succeeded for release {FullName(latest)} with chart {latest.Str("chartName")}@{latest.Str("chartVersion")}: no test hooks", now);
            if (!testsEnabled) RemoveCondition(o, "TestSuccess");
            RemoveCondition(o, "Stalled");
            // summarize(): Ready mirrors the latest release action (Released, then TestSuccess) once in sync.
            if ((Condition(o, "TestSuccess") ?? Condition(o, "Released")) is { } summary)
                SetCondition(o, "Ready", "True", summary.Str("reason") ?? "", summary.Str("message") ?? "", now);
        });
        var interval = GoDuration.Parse(hr.Str("spec", "interval")) ?? TimeSpan.FromMinutes(10);
        Schedule(interval, () => Enqueue($"HelmRelease|{hr.Namespace()}/{hr.Name()}"));
    }

    static string FullName(JsonObject snapshot) => $"{snapshot.Str("namespace")}/{snapshot.Str("name")}.v{snapshot.Long("version")}";

    /// <summary>One Helm install or upgrade; the outcome goes to status as helm-controller's Install/Upgrade reconcilers write it.</summary>
    void Release(JsonObject hr, Desired d, bool install, List<JsonObject> history, string now)
    {
        var action = install ? "install" : "upgrade";
        var failedReason = install ? "InstallFailed" : "UpgradeFailed";
        var chartRef = $"{d.Chart.Name}@{d.Chart.Version}";
        string Failure(string error) => install
            ? $"Helm install failed for release {d.ReleaseNamespace}/{d.ReleaseName} with chart {chartRef}: {error}"
            : $"Helm upgrade failed for release {d.ReleaseNamespace}/{d.ReleaseName} with chart {chartRef}: {error}";
        void Attempted(JsonObject o)
        {
            var s = o.Obj("status");
            s["observedGeneration"] = o.Long("metadata", "generation");
            s["lastAttemptedGeneration"] = o.Long("metadata", "generation");
            s["lastAttemptedRevision"] = d.Chart.Version;
            s["lastAttemptedConfigDigest"] = d.ConfigDigest;
            s["lastAttemptedReleaseAction"] = action;
            s["storageNamespace"] = d.StorageNamespace;
            if (d.OciDigest is not null) s["lastAttemptedRevisionDigest"] = d.OciDigest; else s.Remove("lastAttemptedRevisionDigest");
            // Install/Upgrade: "If we are installing/upgrading, none of the previous conditions apply."
            RemoveCondition(o, "TestSuccess");
            RemoveCondition(o, "Remediated");
        }
        void NotStored(string error)
        {
            // Nothing written to Helm storage: no failure counted, retried after the interval (the reconciler returns the error).
            var message = Failure(error);
            WriteStatus(ReleaseType, hr, HelmManager, o =>
            {
                Attempted(o);
                SetCondition(o, "Released", "False", failedReason, message, now);
                SetCondition(o, "Ready", "False", failedReason, message, now);
            });
            _events.Warning(hr, "HelmRelease", failedReason, message, HelmManager);
        }

        // Helm: values are validated against the chart's schema before anything is stored.
        if (d.Chart.Schema is not null && HelmValues.Validate(d.Chart.Name, d.Values, d.Chart.Schema) is { } schemaError)
        {
            NotStored(schemaError);
            return;
        }
        List<JsonObject> objects;
        try { objects = d.Chart.Render().Select(o => Labelled(o, d)).ToList(); }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidCastException)
        {
            NotStored($"YAML parse error: {e.Message}");
            return;
        }
        if (install)
        {
            // action.Install: existingResourceConflict GETs every rendered object first; an error is
            // "Unable to continue with install: could not get information about the resource <Kind> \"<name>\" in namespace \"<ns>\": <error>".
            foreach (var o in objects)
            {
                var (type, ns) = Target(o);
                if (type is null) { NotStored($"unable to build kubernetes objects from release manifest: resource mapping not found for name: \"{o.Name()}\" namespace: \"{ns}\" from \"\": no matches for kind \"{o.Str("kind")}\" in version \"{o.Str("apiVersion")}\""); return; }
                try { Authorize(d.User, "get", type, ns, o.Name()); }
                catch (ApiException e)
                {
                    NotStored($"Unable to continue with install: could not get information about the resource {o.Str("kind")} \"{o.Name()}\" in namespace \"{ns}\": {e.Message}");
                    return;
                }
            }
        }

        var previous = history.FirstOrDefault(h => h.Str("status") == "deployed");
        // Helm numbers a release after the newest one in storage (which a crash between storage and status may have left ahead of status.history).
        // An install starts a new history (Install clears status.history; an uninstalled release left no storage).
        var version = Math.Max(install ? 0 : (int)history.Select(h => h.Long("version") ?? 0).DefaultIfEmpty(0).Max(),
            StorageSecrets(d.StorageNamespace, d.ReleaseName).Select(Version).DefaultIfEmpty(0).Max()) + 1;
        var firstDeployed = install || previous is null ? now : previous.Str("firstDeployed") ?? now;
        string? error = null;
        if (hr.At("metadata", "annotations", FailureAnnotation)?.ToString() is { Length: > 0 } injected) error = injected;
        else
        {
            try
            {
                ApplyAll(d.User, objects, previous is null ? [] : ManifestOf(d.StorageNamespace, d.ReleaseName, (int)(previous.Long("version") ?? 0)));
            }
            catch (ApiException e) { error = e.Message; }
        }
        var status = error is null ? "deployed" : "failed";
        var description = error is null ? (install ? "Install complete" : "Upgrade complete") : $"{(install ? "Release" : "Upgrade")} \"{d.ReleaseName}\" failed: {error}";
        var manifest = string.Join("---\n", objects.Select(o => o.ToJsonString() + "\n"));
        StoreRelease(d, version, status, firstDeployed, now, description, manifest, d.Chart.Version, d.Chart.AppVersion, d.Overrides);
        if (error is null && previous is not null) SetStoredStatus(d.StorageNamespace, d.ReleaseName, (int)(previous.Long("version") ?? 0), "superseded", d.User);
        var snapshot = Snapshot(d, version, status, firstDeployed, now);
        var message = error is null
            ? $"Helm {action} succeeded for release {FullName(snapshot)} with chart {chartRef}"
            : Failure(error);
        var testsEnabled = hr.Bool("spec", "test", "enable") == true;
        WriteStatus(ReleaseType, hr, HelmManager, o =>
        {
            Attempted(o);
            var s = o.Obj("status");
            var entries = install ? new List<JsonNode>() : s.Arr("history").Select(h => h!.DeepClone()).ToList();
            foreach (var h in entries.OfType<JsonObject>().Where(h => error is null && h.Str("status") == "deployed")) h["status"] = "superseded";
            entries.Insert(0, snapshot.DeepClone());
            s["history"] = new JsonArray(entries.Take(MaxHistory(o)).ToArray());
            s["lastAttemptedReleaseActionDuration"] = "0.1s";
            if (error is null)
            {
                SetCondition(o, "Released", "True", install ? "InstallSucceeded" : "UpgradeSucceeded", message, now);
                var ready = message;
                var reason = install ? "InstallSucceeded" : "UpgradeSucceeded";
                if (testsEnabled)
                {
                    // test.go: fmtTestSuccess "Helm test succeeded for release %s with chart %s: %s" ("no test hooks" without any).
                    ready = $"Helm test succeeded for release {FullName(snapshot)} with chart {chartRef}: no test hooks";
                    reason = "TestSucceeded";
                    SetCondition(o, "TestSuccess", "True", reason, ready, now);
                }
                SetCondition(o, "Ready", "True", reason, ready, now);
                RemoveCondition(o, "Stalled");
                s["lastReleaseRevision"] = version;
                s.Remove("failures");
            }
            else
            {
                s["failures"] = (o.Long("status", "failures") ?? 0) + 1;
                var counter = install ? "installFailures" : "upgradeFailures";
                s[counter] = (o.Long("status", counter) ?? 0) + 1;
                SetCondition(o, "Released", "False", failedReason, message, now);
                SetCondition(o, "Ready", "False", failedReason, message, now);
            }
        });
        if (error is null) _events.Normal(hr, "HelmRelease", install ? "InstallSucceeded" : "UpgradeSucceeded", message, HelmManager);
        else _events.Warning(hr, "HelmRelease", failedReason, message, HelmManager);
        Enqueue($"HelmRelease|{hr.Namespace()}/{hr.Name()}");
    }

    static int MaxHistory(JsonObject hr) => (int)(hr.Long("spec", "maxHistory") is { } m and > 0 ? m : 5);

    /// <summary>Remediation of the failed release: rollback to the previous deployed release (upgrade, strategy rollback) or uninstall.</summary>
    void Remediate(JsonObject hr, Desired d, string lastAction, string now)
    {
        var history = hr.At("status", "history").Objects().ToList();
        var failed = history.First();
        var previous = history.Skip(1).FirstOrDefault(h => h.Str("status") is "deployed" or "superseded");
        var strategy = lastAction == "upgrade" ? hr.Str("spec", "upgrade", "remediation", "strategy") ?? "rollback" : "uninstall";
        if (strategy == "rollback" && previous is not null)
        {
            var prevVersion = (int)(previous.Long("version") ?? 0);
            var version = Math.Max((int)(failed.Long("version") ?? 0), StorageSecrets(d.StorageNamespace, d.ReleaseName).Select(Version).DefaultIfEmpty(0).Max()) + 1;
            var stored = ReadStored(d.StorageNamespace, d.ReleaseName, prevVersion);
            string? error = null;
            try
            {
                var manifestObjects = ManifestOf(d.StorageNamespace, d.ReleaseName, prevVersion);
                ApplyAll(d.User, manifestObjects, ManifestOf(d.StorageNamespace, d.ReleaseName, (int)(failed.Long("version") ?? 0)));
            }
            catch (ApiException e) { error = e.Message; }
            var chartName = previous.Str("chartName")!;
            var chartVersion = previous.Str("chartVersion")!;
            if (error is null)
            {
                // Helm rollback: a new release (description "Rollback to N") deployed; the failed and previous ones superseded.
                StoreRelease(d, version, "deployed", previous.Str("firstDeployed") ?? now, now, $"Rollback to {prevVersion}",
                    stored?.Str("manifest") ?? "", chartVersion, previous.Str("appVersion"), stored?["config"] as JsonObject ?? []);
                SetStoredStatus(d.StorageNamespace, d.ReleaseName, (int)(failed.Long("version") ?? 0), "superseded", d.User);
                SetStoredStatus(d.StorageNamespace, d.ReleaseName, prevVersion, "superseded", d.User);
            }
            var message = error is null
                ? $"Helm rollback to previous release {FullName(previous)} with chart {chartName}@{chartVersion} succeeded"
                : $"Helm rollback to previous release {FullName(previous)} with chart {chartName}@{chartVersion} failed: {error}";
            WriteStatus(ReleaseType, hr, HelmManager, o =>
            {
                var s = o.Obj("status");
                if (error is null)
                {
                    var entries = s.Arr("history").Select(h => h!.DeepClone()).OfType<JsonObject>().ToList();
                    foreach (var h in entries) if (h.Str("status") is "deployed" or "failed") h["status"] = "superseded";
                    var snapshot = previous.CloneObject();
                    snapshot["version"] = version;
                    snapshot["status"] = "deployed";
                    snapshot["lastDeployed"] = now;
                    snapshot["digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{d.ReleaseName}.v{version}")));
                    entries.Insert(0, snapshot);
                    s["history"] = new JsonArray(entries.Take(MaxHistory(o)).Cast<JsonNode>().ToArray());
                    s["lastReleaseRevision"] = version;
                }
                // rollback_remediation.go: Remediated=True RollbackSucceeded; summarize(): a remediation is the latest
                // action, so Ready=False carries its reason and message.
                SetCondition(o, "Remediated", error is null ? "True" : "False", error is null ? "RollbackSucceeded" : "RollbackFailed", message, now);
                SetCondition(o, "Ready", "False", error is null ? "RollbackSucceeded" : "RollbackFailed", message, now);
            });
            if (error is null) _events.Normal(hr, "HelmRelease", "RollbackSucceeded", message, HelmManager);
            else _events.Warning(hr, "HelmRelease", "RollbackFailed", message, HelmManager);
        }
        else
        {
            var error = UninstallRelease(d.User, d.StorageNamespace, d.ReleaseName);
            var message = error is null
                ? $"Helm uninstall succeeded for release {FullName(failed)} with chart {failed.Str("chartName")}@{failed.Str("chartVersion")}"
                : $"Helm uninstall failed for release {FullName(failed)} with chart {failed.Str("chartName")}@{failed.Str("chartVersion")}: {error}";
            WriteStatus(ReleaseType, hr, HelmManager, o =>
            {
                if (error is null && o.Obj("status")["history"] is JsonArray h && h.FirstOrDefault() is JsonObject first) first["status"] = "uninstalled";
                SetCondition(o, "Remediated", error is null ? "True" : "False", error is null ? "UninstallSucceeded" : "UninstallFailed", message, now);
                SetCondition(o, "Ready", "False", error is null ? "UninstallSucceeded" : "UninstallFailed", message, now);
            });
            if (error is null) _events.Normal(hr, "HelmRelease", "UninstallSucceeded", message, HelmManager);
            else _events.Warning(hr, "HelmRelease", "UninstallFailed", message, HelmManager);
        }
        Enqueue($"HelmRelease|{hr.Namespace()}/{hr.Name()}");
    }

    /// <summary>Deleting a HelmRelease uninstalls its release (objects and storage), as helm-controller's finalizer does.</summary>
    void UninstallOnDelete(JsonObject hr)
    {
        var storageNs = hr.Str("status", "storageNamespace") ?? hr.Str("spec", "storageNamespace") ?? hr.Namespace();
        var name = ReleaseName(hr);
        var latest = hr.At("status", "history").Objects().FirstOrDefault();
        var error = UninstallRelease(ReleaseUser(hr), storageNs, name);
        if (latest is null) return;
        var message = error is null
            ? $"Helm uninstall succeeded for release {FullName(latest)} with chart {latest.Str("chartName")}@{latest.Str("chartVersion")}"
            : $"Helm uninstall failed for release {FullName(latest)} with chart {latest.Str("chartName")}@{latest.Str("chartVersion")}: {error}";
        if (error is null) _events.Normal(hr, "HelmRelease", "UninstallSucceeded", message, HelmManager);
        else _events.Warning(hr, "HelmRelease", "UninstallFailed", message, HelmManager);
    }

    void DeleteHelmChart(JsonObject hr)
    {
        if (hr.Str("status", "helmChart") is not { } reference || reference.IndexOf('/') is not (var slash and > 0)) return;
        try
        {
            Cluster.Registry.Delete(SourceType("helmcharts"), reference[..slash], reference[(slash + 1)..], new DeleteOptions(WriteOptions.Internal(HelmManager)));
        }
        catch (ApiException e) when (e.Code == 404) { }
    }

    /// <summary>Helm uninstall: deletes the latest release's objects and every storage Secret of the release.</summary>
    string? UninstallRelease(UserInfo user, string storageNs, string releaseName)
    {
        var secrets = StorageSecrets(storageNs, releaseName);
        try
        {
            var latest = secrets.OrderByDescending(s => Version(s)).FirstOrDefault();
            if (latest is not null)
                foreach (var o in ManifestOf(storageNs, releaseName, Version(latest)))
                {
                    var (type, ns) = Target(o);
                    if (type is null) continue;
                    Authorize(user, "delete", type, ns, o.Name());
                    try { Cluster.Registry.Delete(type, ns, o.Name(), new DeleteOptions(new WriteOptions(user) { FieldManager = HelmManager })); }
                    catch (ApiException e) when (e.Code == 404) { }
                }
            var secretType = Cluster.Type("", "secrets");
            foreach (var s in secrets)
            {
                Authorize(user, "delete", secretType, storageNs, s.Name());
                try { Cluster.Registry.Delete(secretType, storageNs, s.Name(), new DeleteOptions(new WriteOptions(user) { FieldManager = HelmManager })); }
                catch (ApiException e) when (e.Code == 404) { }
            }
            return null;
        }
        catch (ApiException e) { return e.Message; }
    }

    // ---- applying objects as the release's identity ----

    /// <summary>The RBAC check the apiserver makes for the impersonated user, with its Forbidden error.</summary>
    void Authorize(UserInfo user, string verb, ResourceType type, string ns, string name)
    {
        var attributes = new AuthorizationAttributes(user, verb, true, type.Group, type.Resource, "", type.Namespaced ? ns : "", name);
        if (!Cluster.Authorizer.IsAllowed(attributes)) throw ApiException.Forbidden(type.Group, type.Resource, name, attributes.DenialMessage());
    }

    (ResourceType? Type, string Namespace) Target(JsonObject o)
    {
        var type = Cluster.Catalog.FindByApiVersionKind(o.Str("apiVersion") ?? "", o.Str("kind") ?? "");
        return (type, type?.Namespaced == true ? o.Namespace() : "");
    }

    /// <summary>Helm's labels/annotations on every object, and the release namespace for namespaced objects that name none.</summary>
    JsonObject Labelled(JsonObject o, Desired d)
    {
        var obj = o.CloneObject();
        var meta = obj.Obj("metadata");
        var (type, _) = Target(obj);
        if (type?.Namespaced != false && meta.Str("namespace") is null) meta["namespace"] = d.ReleaseNamespace;
        if (type?.Namespaced == false) meta.Remove("namespace");
        meta.Obj("labels")["app.kubernetes.io/managed-by"] = "Helm";
        meta.Obj("annotations")["meta.helm.sh/release-name"] = d.ReleaseName;
        meta.Obj("annotations")["meta.helm.sh/release-namespace"] = d.ReleaseNamespace;
        return obj;
    }

    /// <summary>
    /// Creates or updates each object, then deletes what the previous release had and this one has not (Helm's
    /// kube client). Every write runs as <paramref name="user"/>: RBAC here, admission (quota, policies) in the registry.
    /// </summary>
    void ApplyAll(UserInfo user, List<JsonObject> objects, List<JsonObject> previous)
    {
        var write = new WriteOptions(user) { FieldManager = HelmManager };
        foreach (var o in objects)
        {
            var (type, ns) = Target(o);
            if (type is null) throw new ApiException(404, "NotFound", $"resource mapping not found for name: \"{o.Name()}\" namespace: \"{ns}\" from \"\": no matches for kind \"{o.Str("kind")}\" in version \"{o.Str("apiVersion")}\"", new JsonObject());
            Authorize(user, "get", type, ns, o.Name());
            var existing = Cluster.Registry.TryGet(type, ns, o.Name());
            if (existing is null)
            {
                Authorize(user, "create", type, ns, o.Name());
                Cluster.Registry.Create(type, ns, o.CloneObject(), write);
            }
            else
            {
                Authorize(user, "patch", type, ns, o.Name());
                var body = o.CloneObject();
                body.Meta()["resourceVersion"] = existing.Str("metadata", "resourceVersion");
                if (existing["status"] is { } status) body["status"] = status.DeepClone();
                Cluster.Registry.Update(type, ns, o.Name(), body, write);
            }
        }
        foreach (var old in previous)
        {
            var (type, ns) = Target(old);
            if (type is null || objects.Any(o => o.Str("kind") == old.Str("kind") && o.Name() == old.Name() && Target(o).Namespace == ns)) continue;
            Authorize(user, "delete", type, ns, old.Name());
            try { Cluster.Registry.Delete(type, ns, old.Name(), new DeleteOptions(write)); }
            catch (ApiException e) when (e.Code == 404) { }
        }
    }

    // ---- Helm storage (driver.Secrets) ----

    static string SecretName(string release, int version) => $"sh.helm.release.v1.{release}.v{version}";

    static int Version(JsonObject secret) => int.TryParse(secret.At("metadata", "labels", "version")?.ToString(), out var v) ? v : 0;

    List<JsonObject> StorageSecrets(string ns, string release)
    {
        var type = Cluster.Type("", "secrets");
        return Cluster.Store.List(type.StorageKey, ns).Items.Select(s => s.Parse())
            .Where(s => s.At("metadata", "labels", "owner")?.ToString() == "helm" && s.At("metadata", "labels", "name")?.ToString() == release).ToList();
    }

    /// <summary>
    /// Helm's Secret storage driver: type <c>helm.sh/release.v1</c>, labels name/owner/status/version (+ modifiedAt), and
    /// <c>data.release</c> = base64(gzip(release JSON)) (pkg/storage/driver/util.go encodeRelease).
    /// </summary>
    void StoreRelease(Desired d, int version, string status, string firstDeployed, string now, string description, string manifest,
        string chartVersion, string? appVersion, JsonObject config)
    {
        var release = new JsonObject
        {
            ["name"] = d.ReleaseName,
            ["namespace"] = d.ReleaseNamespace,
            ["version"] = version,
            ["info"] = new JsonObject { ["first_deployed"] = firstDeployed, ["last_deployed"] = now, ["deleted"] = "", ["description"] = description, ["status"] = status },
            ["chart"] = new JsonObject { ["metadata"] = new JsonObject { ["name"] = d.Chart.Name, ["version"] = chartVersion, ["appVersion"] = appVersion, ["apiVersion"] = "v2" } },
            ["config"] = config.DeepClone(),
            ["manifest"] = manifest,
        };
        var secretType = Cluster.Type("", "secrets");
        var name = SecretName(d.ReleaseName, version);
        var secret = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = d.StorageNamespace,
                ["labels"] = new JsonObject
                {
                    ["name"] = d.ReleaseName, ["owner"] = "helm", ["status"] = status, ["version"] = version.ToString(),
                    ["modifiedAt"] = Cluster.Time.GetUtcNow().ToUnixTimeSeconds().ToString(),
                },
            },
            ["type"] = "helm.sh/release.v1",
            ["data"] = new JsonObject { ["release"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(Encode(release))) },
        };
        Authorize(d.User, "create", secretType, d.StorageNamespace, name);
        Cluster.Registry.Create(secretType, d.StorageNamespace, secret, new WriteOptions(d.User) { FieldManager = HelmManager });
        // Helm prunes storage beyond --history-max (maxHistory), oldest first.
        foreach (var old in StorageSecrets(d.StorageNamespace, d.ReleaseName).OrderByDescending(Version).Skip(d.MaxHistory))
            try { Cluster.Registry.Delete(secretType, d.StorageNamespace, old.Name(), new DeleteOptions(new WriteOptions(d.User) { FieldManager = HelmManager })); }
            catch (ApiException e) when (e.Code is 404 or 403) { }
    }

    static string Encode(JsonObject release)
    {
        var gzip = new MemoryStream();
        using (var compress = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) compress.Write(Encoding.UTF8.GetBytes(release.ToJsonString()));
        return Convert.ToBase64String(gzip.ToArray());
    }

    JsonObject? ReadStored(string ns, string release, int version)
    {
        var secret = Cluster.Registry.TryGet(Cluster.Type("", "secrets"), ns, SecretName(release, version));
        if (secret?.Str("data", "release") is not { } data) return null;
        var encoded = Encoding.ASCII.GetString(Convert.FromBase64String(data));
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(encoded)), CompressionMode.Decompress);
        return JsonNode.Parse(gzip) as JsonObject;
    }

    List<JsonObject> ManifestOf(string ns, string release, int version)
    {
        var manifest = ReadStored(ns, release, version)?.Str("manifest") ?? "";
        return manifest.Split("---\n", StringSplitOptions.RemoveEmptyEntries).Select(t => JsonNode.Parse(t) as JsonObject).OfType<JsonObject>().ToList();
    }

    void SetStoredStatus(string ns, string release, int version, string status, UserInfo user)
    {
        var type = Cluster.Type("", "secrets");
        var name = SecretName(release, version);
        var secret = Cluster.Registry.TryGet(type, ns, name);
        var stored = ReadStored(ns, release, version);
        if (secret is null || stored is null) return;
        stored.Obj("info")["status"] = status;
        Authorize(user, "update", type, ns, name);
        Cluster.Registry.Mutate(type, ns, name, new WriteOptions(user) { FieldManager = HelmManager }, "", current =>
        {
            current.Obj("metadata").Obj("labels")["status"] = status;
            current.Obj("data")["release"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(Encode(stored)));
            current.Meta().Remove("resourceVersion");
            return current;
        });
    }

    /// <summary>A status.history entry (api/v2 Snapshot).</summary>
    JsonObject Snapshot(Desired d, int version, string status, string firstDeployed, string now)
    {
        var snapshot = new JsonObject
        {
            ["name"] = d.ReleaseName,
            ["namespace"] = d.ReleaseNamespace,
            ["version"] = version,
            ["status"] = status,
            ["chartName"] = d.Chart.Name,
            ["chartVersion"] = d.Chart.Version,
            ["configDigest"] = d.ConfigDigest,
            ["firstDeployed"] = firstDeployed,
            ["lastDeployed"] = now,
            ["digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{d.ReleaseName}.v{version}.{status}.{now}"))),
        };
        if (d.Chart.AppVersion is not null) snapshot["appVersion"] = d.Chart.AppVersion;
        if (d.OciDigest is not null) snapshot["ociDigest"] = d.OciDigest;
        return snapshot;
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Cocktail.Integration.Tests.Access;

/// <summary>Cocktail with quick probes, drift passes and grant sweeps; optionally a clock the test moves.</summary>
public class AccessApp : CocktailApp
{
    public AccessApp()
    {
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:05");
        WithSetting("Cocktail:Access:SweepInterval", "00:00:01");
    }
}

public sealed class ClockedAccessApp : AccessApp
{
    public FakeTimeProvider Clock { get; }

    public ClockedAccessApp() : this(DateTimeOffset.UtcNow) { }

    public ClockedAccessApp(DateTimeOffset start)
    {
        Clock = new FakeTimeProvider(start);
        WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }
}

[CollectionDefinition(Name)]
public sealed class AccessCollection : ICollectionFixture<AccessApp>
{
    public const string Name = "access";
}

public static class Grants
{
    public static async Task<JsonNode> GrantAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/access-grants", body);
        var created = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {created.ToJsonString()}");
        return created;
    }

    public static Task<JsonNode> WaitForStateAsync(HttpClient client, string grantId, string state, int seconds = 20) =>
        Eventually.GetAsync(async () => await (await client.GetAsync($"/api/v1/access-grants/{grantId}")).BodyAsync(),
            g => (string?)g["state"] == state, TimeSpan.FromSeconds(seconds), $"grant {state}");

    public static async Task<string> KubeconfigAsync(HttpClient client, string grantId)
    {
        var response = await client.GetAsync($"/api/v1/access-grants/{grantId}/kubeconfig");
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {text}");
        return text;
    }

    public static IKubernetes Client(string kubeconfig) =>
        new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig))));

    /// <summary>kubectl with the downloaded kubeconfig, exactly as a user would run it. Where kubectl is not installed
    /// the test is reported as skipped from this point (a [SkippableFact]), never as passed.</summary>
    public static async Task<(int ExitCode, string Output)> KubectlAsync(string kubeconfig, params string[] args)
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists);
        Skip.If(kubectl is null, "kubectl is not installed on this machine");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, kubeconfig);
        try
        {
            var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--kubeconfig", file }.Concat(args)) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
        finally { File.Delete(file); }
    }
}

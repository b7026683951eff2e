using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>
/// External registries and the pull secrets in every service map namespace, read back from the (simulated) cluster:
/// the Secrets, the default ServiceAccount that names them, and a pod that gets them without asking.
/// </summary>
public sealed class PullSecretsTests(PullSecretsApp app) : IClassFixture<PullSecretsApp>
{
    private static readonly string GhcrToken = TestSecrets.Remember("ghp_" + Guid.NewGuid().ToString("N"));
    private static readonly string HarborPassword = TestSecrets.Remember("harbor-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task a_service_map_namespace_gets_a_pull_secret_per_registry_and_its_default_service_account_names_them()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        await AddAsync(t, new { name = "ghcr", kind = "Ghcr", userName = "octocat", password = GhcrToken });
        await AddAsync(t, new { name = "harbor", kind = "Harbor", server = "harbor.example.com", userName = "robot$shop+puller", password = HarborPassword });
        var map = await t.CreateServiceMapAsync(t.Developer.Client, "pulls");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        using var kube = t.Kube();

        var account = await Eventually.GetAsync(() => Absent(() => kube.CoreV1.ReadNamespacedServiceAccountAsync("default", "pulls")),
            a => a?.ImagePullSecrets?.Count == 3, because: "the default ServiceAccount names the three pull secrets");

        Assert.Equal(["cocktail-registry", "cocktail-pull-ghcr", "cocktail-pull-harbor"], account!.ImagePullSecrets.Select(r => r.Name));
        var robot = Assert.Single(app.Robots.For(t.WorkspaceId));
        Assert.Equal((PullSecretsApp.RegistryAddress, robot.UserName, robot.Password), await AuthOfAsync(kube, "pulls", "cocktail-registry"));
        Assert.Equal(("ghcr.io", "octocat", GhcrToken), await AuthOfAsync(kube, "pulls", "cocktail-pull-ghcr"));
        Assert.Equal(("harbor.example.com", "robot$shop+puller", HarborPassword), await AuthOfAsync(kube, "pulls", "cocktail-pull-harbor"));
        Assert.Equal(ReconcilePullSecretsHandler.RobotPurpose, app.Robots.Issued[robot.RobotId].Purpose);

        // A pod that names no pull secret gets the ServiceAccount's, as the ServiceAccount admission plugin does.
        var pod = await kube.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = $"{PullSecretsApp.RegistryAddress}/{t.WorkspaceName}/web:1", Resources = Small() }] },
        }, "pulls");
        Assert.Equal(["cocktail-registry", "cocktail-pull-ghcr", "cocktail-pull-harbor"], pod.Spec.ImagePullSecrets.Select(r => r.Name));

        // The API and the status say where the secrets are, never what is in them.
        var listed = await (await t.Viewer.Client.GetAsync($"/api/v1/workspaces/{t.WorkspaceId}/external-registries")).Content.ReadAsStringAsync();
        Assert.Contains("\"secretName\":\"cocktail-pull-ghcr\"", listed);
        Assert.DoesNotContain(GhcrToken, listed);
        Assert.DoesNotContain(HarborPassword, listed);
        var overview = await ClusterApp.WaitForAsync(t.Viewer.Client, $"/api/v1/workspaces/{t.WorkspaceId}/pull-secrets",
            o => o["serviceMaps"]!.AsArray().Count == 1 && (bool)o["serviceMaps"]![0]!["applied"]!, "the pull secrets applied");
        Assert.Equal(robot.UserName, (string?)overview["robotUserName"]);
        Assert.Equal(PullSecretsApp.RegistryAddress, (string?)overview["registry"]);
        Assert.DoesNotContain(robot.Password, overview.ToJsonString());
    }

    [Fact]
    public async Task removing_a_registry_takes_its_secret_away_and_keeps_what_others_listed_in_the_service_account()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "keeps");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        var ghcr = await AddAsync(t, new { name = "ghcr", kind = "Ghcr", userName = "octocat", password = GhcrToken });
        using var kube = t.Kube();
        var account = await Eventually.GetAsync(() => Absent(() => kube.CoreV1.ReadNamespacedServiceAccountAsync("default", "keeps")),
            a => a?.ImagePullSecrets?.Count == 2, because: "the registry's and GHCR's pull secrets");
        // Someone adds a pull secret of their own to the ServiceAccount by hand.
        account!.ImagePullSecrets.Insert(0, new V1LocalObjectReference { Name = "team-own" });
        await kube.CoreV1.ReplaceNamespacedServiceAccountAsync(account, "default", "keeps");

        var removed = await t.WorkspaceAdmin.Client.DeleteAsync($"/api/v1/external-registries/{(string)ghcr["id"]!}?reason=moved%20to%20harbor");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        account = await Eventually.GetAsync(() => kube.CoreV1.ReadNamespacedServiceAccountAsync("default", "keeps"),
            a => a.ImagePullSecrets.Count == 2 && a.ImagePullSecrets.All(r => r.Name != "cocktail-pull-ghcr"), because: "GHCR's entry goes, the others stay");
        Assert.Equal(["team-own", "cocktail-registry"], account.ImagePullSecrets.Select(r => r.Name));
        var secrets = await kube.CoreV1.ListNamespacedSecretAsync("keeps");
        Assert.DoesNotContain(secrets.Items, s => s.Metadata.Name == "cocktail-pull-ghcr");
        Assert.Equal(HttpStatusCode.NotFound, (await t.Viewer.Client.GetAsync($"/api/v1/external-registries/{(string)ghcr["id"]!}")).StatusCode);
        var audit = await (await t.Admin.GetAsync($"/api/v1/audit/events?streamId={(string)ghcr["id"]!}")).Content.ReadAsStringAsync();
        Assert.Contains($"{t.WorkspaceAdmin.UserName} removed the registry ghcr from {t.WorkspaceName}: moved to harbor", audit);
    }

    [Fact]
    public async Task rotating_writes_a_new_pull_robot_into_every_service_map_and_only_then_revokes_the_old_one()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        foreach (var name in new[] { "rot-a", "rot-b" })
            await t.WaitForStatusAsync((string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, name))["id"]!, "Ready");
        using var kube = t.Kube();
        var first = await Eventually.GetAsync(() => Task.FromResult(app.Robots.For(t.WorkspaceId)), r => r.Count == 1, because: "the first pull robot");
        foreach (var ns in new[] { "rot-a", "rot-b" })
            await Eventually.GetAsync(() => Absent(() => AuthOfAsync(kube, ns, "cocktail-registry")), a => a.User == first[0].UserName, because: $"{ns} has the first robot");

        Assert.Equal(HttpStatusCode.Forbidden, (await t.Developer.Client.PostAsync($"/api/v1/workspaces/{t.WorkspaceId}/pull-secrets/rotate", null)).StatusCode);
        var rotated = await t.WorkspaceAdmin.Client.PostAsync($"/api/v1/workspaces/{t.WorkspaceId}/pull-secrets/rotate", null);

        Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
        var robots = await Eventually.GetAsync(() => Task.FromResult(app.Robots.For(t.WorkspaceId)), r => r.Count == 2 && app.Robots.IsRevoked(first[0].RobotId),
            because: "a second robot, and the first revoked");
        var second = robots.Single(r => r.RobotId != first[0].RobotId);
        foreach (var ns in new[] { "rot-a", "rot-b" })
            Assert.Equal((PullSecretsApp.RegistryAddress, second.UserName, second.Password), await AuthOfAsync(kube, ns, "cocktail-registry"));
        Assert.False(app.Robots.IsRevoked(second.RobotId));
    }

    [Fact]
    public async Task an_ecr_registry_gets_ecrs_short_lived_token_as_the_aws_user_never_the_secret_access_key()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var secretKey = TestSecrets.Remember("wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + Guid.NewGuid().ToString("N")[..10]);
        await AddAsync(t, new { name = "ecr", kind = "Ecr", server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com", userName = "AKIAIOSFODNN7EXAMPLE", password = secretKey });
        var map = await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "ecr-pulls");
        await t.WaitForStatusAsync((string)map["id"]!, "Ready");
        using var kube = t.Kube();

        var (registry, _, password) = await Eventually.GetAsync(() => Absent(() => AuthOfAsync(kube, "ecr-pulls", "cocktail-pull-ecr")), a => a.User == "AWS",
            because: "the ECR pull secret");

        Assert.Equal("123456789012.dkr.ecr.eu-west-1.amazonaws.com", registry);
        Assert.StartsWith("ecr-", password);
        Assert.NotEqual(secretKey, password);
        Assert.Contains(app.Ecr.Calls, c => c.AccessKeyId == "AKIAIOSFODNN7EXAMPLE");
    }

    [Fact]
    public async Task bad_registries_are_refused_field_by_field_and_nothing_is_added()
    {
        await using var t = await Tenancy.Tenancy.CreateAsync(app);
        var path = $"/api/v1/workspaces/{t.WorkspaceId}/external-registries";
        async Task<JsonNode> RefusedAsync(object body, HttpStatusCode status = HttpStatusCode.BadRequest)
        {
            var response = await t.WorkspaceAdmin.Client.PostAsJsonAsync(path, body);
            var problem = await response.BodyAsync();
            Assert.True(status == response.StatusCode, $"{(int)response.StatusCode} {problem.ToJsonString()}");
            return problem;
        }

        var kind = await RefusedAsync(new { name = "x", kind = "Nexus", userName = "u", password = "p" });
        var name = await RefusedAsync(new { name = "Not_A_Label", kind = "Ghcr", userName = "u", password = "p" });
        var ecrKey = await RefusedAsync(new { name = "ecr", kind = "Ecr", server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com", userName = "someone", password = new string('x', 40) });
        var ecrHost = await RefusedAsync(new { name = "ecr", kind = "Ecr", server = "ecr.example.com", userName = "AKIAIOSFODNN7EXAMPLE", password = new string('x', 40) });
        var gcrKey = await RefusedAsync(new { name = "gcr", kind = "Gcr", userName = "_json_key", password = "{\"type\":\"user\"}" });
        var harbor = await RefusedAsync(new { name = "harbor", kind = "Harbor", userName = "robot$x", password = "p" });
        var scheme = await RefusedAsync(new { name = "harbor", kind = "Harbor", server = "https://harbor.example.com/v2", userName = "robot$x", password = "p" });
        var noPassword = await RefusedAsync(new { name = "quay", kind = "Quay", userName = "org+bot" });

        Assert.Contains("Ghcr", (string)kind["errors"]!["kind"]![0]!);
        Assert.NotNull(name["errors"]!["name"]);
        Assert.Contains("access key id", (string)ecrKey["errors"]!["userName"]![0]!);
        Assert.Contains("dkr.ecr", (string)ecrHost["errors"]!["server"]![0]!);
        Assert.Contains("service_account", (string)gcrKey["errors"]!["password"]![0]!);
        Assert.Contains("server", (string)harbor["errors"]!["server"]![0]!);
        Assert.Contains("without a scheme", (string)scheme["errors"]!["server"]![0]!);
        Assert.NotNull(noPassword["errors"]!["password"]);

        await AddAsync(t, new { name = "quay", kind = "Quay", userName = "org+bot", password = "quay-token-123" });
        await RefusedAsync(new { name = "quay", kind = "Quay", userName = "org+bot", password = "quay-token-123" }, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Forbidden, (await t.Developer.Client.PostAsJsonAsync(path, new { name = "dev", kind = "Ghcr", userName = "u", password = "token-1234" })).StatusCode);
        var stranger = await app.CreateUserAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync(path)).StatusCode);
        var listed = (await (await t.Viewer.Client.GetAsync(path)).BodyAsync()).AsArray();
        Assert.Equal(["quay"], listed.Select(r => (string)r!["name"]!));
    }

    private static async Task<JsonNode> AddAsync(Tenancy.Tenancy t, object body)
    {
        var response = await t.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{t.WorkspaceId}/external-registries", body);
        var created = await response.BodyAsync();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"{(int)response.StatusCode} {created.ToJsonString()}");
        return created;
    }

    /// <summary>The one registry a pull secret holds credentials for: its key, user name and password (checked against <c>auth</c>).</summary>
    public static async Task<(string Registry, string User, string Password)> AuthOfAsync(IKubernetes kube, string ns, string name)
    {
        var secret = await kube.CoreV1.ReadNamespacedSecretAsync(name, ns);
        Assert.Equal("kubernetes.io/dockerconfigjson", secret.Type);
        var config = JsonNode.Parse(Encoding.UTF8.GetString(secret.Data[".dockerconfigjson"]))!["auths"]!.AsObject();
        var (registry, entry) = Assert.Single(config);
        var user = (string)entry!["username"]!;
        var password = (string)entry["password"]!;
        Assert.Equal($"{user}:{password}", Encoding.UTF8.GetString(Convert.FromBase64String((string)entry["auth"]!)));
        return (registry, user, password);
    }

    /// <summary>What a read answers, or the default while the object is not there yet.</summary>
    public static async Task<T?> Absent<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }
    }

    private static V1ResourceRequirements Small() => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("32Mi") },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
    };
}

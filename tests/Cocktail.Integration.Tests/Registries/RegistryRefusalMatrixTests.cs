using Cocktail.Testing;
using Cocktail.Testing.Registry;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>
/// The cross-workspace refusal matrix with the real registry and skopeo: every member and robot of workspace B, and
/// every too-small role of A, tries to pull and to push A's image; each is refused by the registry (the token Cocktail
/// gave them leaves the scope out), while the same credentials work where their role says.
/// </summary>
public sealed class RegistryRefusalMatrixTests(RegistryApp app) : IClassFixture<RegistryApp>
{
    [SkippableFact]
    public async Task nobody_pulls_or_pushes_another_workspaces_repositories_and_each_role_gets_exactly_its_own_rights()
    {
        var registry = app.RequireRegistry();
        var a = await RegistryWorkspace.CreateAsync(app);
        var b = await RegistryWorkspace.CreateAsync(app);
        var aPull = await RobotAccountTests.CreateRobotAsync(a.WorkspaceAdmin.Client, a, "pull", "Pull");
        var bPush = await RobotAccountTests.CreateRobotAsync(b.WorkspaceAdmin.Client, b, "push", "PushPull");
        var bPull = await RobotAccountTests.CreateRobotAsync(b.WorkspaceAdmin.Client, b, "pull", "Pull");
        using var client = new RegistryClient(registry);
        var image = a.Repository("app");
        var seeded = await client.PushAsync(image, "v1", a.Developer.UserName, a.Developer.Password);
        Assert.True(seeded.Succeeded, $"{seeded}\n{registry.Output}");

        var callers = new (string Who, string User, string Password, bool PullA, bool PushA, bool PushB)[]
        {
            ("A's workspace admin", a.WorkspaceAdmin.UserName, a.WorkspaceAdmin.Password, true, true, false),
            ("A's viewer", a.Viewer.UserName, a.Viewer.Password, true, false, false),
            ("A's pull robot", aPull.UserName, aPull.Password, true, false, false),
            ("B's workspace admin", b.WorkspaceAdmin.UserName, b.WorkspaceAdmin.Password, false, false, true),
            ("B's developer", b.Developer.UserName, b.Developer.Password, false, false, true),
            ("B's viewer", b.Viewer.UserName, b.Viewer.Password, false, false, false),
            ("B's push robot", bPush.UserName, bPush.Password, false, false, true),
            ("B's pull robot", bPull.UserName, bPull.Password, false, false, false),
            ("CocktailApp admin", CocktailApp.AdminUserName, CocktailApp.AdminPassword, true, true, true),
        };
        var wrong = new List<string>();
        foreach (var (who, user, password, pullA, pushA, pushB) in callers)
        {
            var pulled = await client.PullAsync(image, "v1", user, password);
            if (pulled.Succeeded != pullA) wrong.Add($"{who} pull {image}: expected {(pullA ? "allowed" : "refused")}, got {pulled}");
            var pushed = await client.PushAsync(image, $"by-{Guid.NewGuid():N}"[..12], user, password);
            if (pushed.Succeeded != pushA) wrong.Add($"{who} push {image}: expected {(pushA ? "allowed" : "refused")}, got {pushed}");
            var own = await client.PushAsync(b.Repository("app"), $"by-{Guid.NewGuid():N}"[..12], user, password);
            if (own.Succeeded != pushB) wrong.Add($"{who} push {b.Repository("app")}: expected {(pushB ? "allowed" : "refused")}, got {own}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong) + "\n" + registry.Output[^Math.Min(4000, registry.Output.Length)..]);
    }
}

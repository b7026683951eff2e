using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using System.Text;

namespace Cocktail.Application.Builds.Defining;

/// <summary>A new build definition in a workspace (Developers and WorkspaceAdmins).</summary>
public sealed record DefineBuild(
    Guid WorkspaceId, string Name, string GitUrl, string? Ref, string? Context, string? Dockerfile, IReadOnlyDictionary<string, string>? BuildArgs,
    string Repository, string? TagTemplate, BuildTool? Tool, string? GitUserName, [property: Secret] string? GitPassword) : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public BuildSource Source() => new(GitUrl?.Trim() ?? "", string.IsNullOrWhiteSpace(Ref) ? "main" : Ref.Trim(),
        string.IsNullOrWhiteSpace(Context) ? "." : Context.Trim(), string.IsNullOrWhiteSpace(Dockerfile) ? "Dockerfile" : Dockerfile.Trim(),
        BuildArgs ?? new Dictionary<string, string>(), Repository?.Trim() ?? "",
        string.IsNullOrWhiteSpace(TagTemplate) ? "{branch}-{buildNumber}" : TagTemplate.Trim(), Tool ?? BuildTool.Kaniko);
}

public sealed class DefineBuildValidator : AbstractValidator<DefineBuild>
{
    public DefineBuildValidator()
    {
        RuleFor(x => x.Name).NotEmpty().Must(DnsLabel.IsValid).WithMessage("The name is a DNS label: lowercase letters, digits and '-', at most 63.");
        RuleFor(x => x.GitUrl).NotEmpty().Must(BuildRules.IsValidGitUrl)
            .WithMessage("The git URL is http(s)://, ssh:// or git@host:path, without credentials in it.");
        RuleFor(x => x.Dockerfile).Must(d => string.IsNullOrWhiteSpace(d) || BuildRules.StaysInside(d.Trim()))
            .WithMessage("The Dockerfile path is relative and stays inside the context (no '..', no leading '/').");
        RuleFor(x => x.Context).Must(c => string.IsNullOrWhiteSpace(c) || c.Trim() == "." || BuildRules.StaysInside(c.Trim()))
            .WithMessage("The context is a relative path inside the repository (no '..').");
        RuleFor(x => x.Repository).NotEmpty().Must(Domain.Registries.RepositoryNames.IsValid)
            .WithMessage($"The repository name has {Domain.Registries.RepositoryNames.Rule}.");
        RuleFor(x => x).Must(x => BuildRules.TemplateYieldsValidTag(x.Source().TagTemplate, x.Source().Ref)).OverridePropertyName("tagTemplate")
            .WithMessage("The tag template must yield a valid tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'); placeholders: {branch}, {shortSha}, {buildNumber}.");
        RuleFor(x => x.BuildArgs).Must(a => a is null || a.Count <= 50 && a.Keys.All(k => System.Text.RegularExpressions.Regex.IsMatch(k, "^[A-Za-z_][A-Za-z0-9_]*$")))
            .WithMessage("Build args are at most 50, named like environment variables.");
        RuleFor(x => x.GitPassword).NotEmpty().When(x => !string.IsNullOrEmpty(x.GitUserName)).WithMessage("Give the password or token for the git user.");
        RuleFor(x => x.GitUserName).NotEmpty().When(x => !string.IsNullOrEmpty(x.GitPassword)).WithMessage("Give the git user the password or token is for.");
    }
}

public static class DefineBuildHandler
{
    public static async Task<Result<Accepted>> Handle(DefineBuild command, Actor actor, IDocumentSession session, IDataProtectionProvider protection,
        TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } denied) return denied;
        if (await session.Query<BuildDefinitionView>().AnyAsync(d => d.WorkspaceId == command.WorkspaceId && d.Name == command.Name, ct))
            return new Failure(FailureKind.Conflict, $"A build definition named '{command.Name}' exists in this workspace.",
                new Dictionary<string, string[]> { ["name"] = [$"A build definition named '{command.Name}' exists in this workspace."] });
        var id = Guid.CreateVersion7();
        var hasCredentials = !string.IsNullOrEmpty(command.GitUserName);
        var decision = BuildDefinition.Create(id, workspace.Value!.Id, workspace.Value.Name, command.Name, command.Source(), hasCredentials, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<BuildDefinition>(id, decision.Events.ToArray());
        if (hasCredentials) session.Store(BuildGitSecret.Of(id, new GitCredentials(command.GitUserName!, command.GitPassword!), protection));
        return new Accepted(id, 1);
    }
}

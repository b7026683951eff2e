using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;

namespace Cocktail.Domain.Builds;

/// <summary>A workspace's recipe for an image, and the number its next run gets.</summary>
public sealed record BuildDefinition(Guid Id, Guid WorkspaceId, string WorkspaceName, string Name, BuildSource Source, bool HasGitCredentials, bool Deleted)
{
    public static Decision Create(Guid id, Guid workspaceId, string workspaceName, string name, BuildSource source, bool hasGitCredentials,
        ActorRef by, DateTimeOffset at) =>
        Check(source) ?? Decision.Accept(new BuildDefinitionCreated(id, workspaceId, workspaceName, name, source, hasGitCredentials, by, at));

    public Decision Change(BuildSource source, bool hasGitCredentials, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return DomainError.NotFound($"The build definition {Name} was deleted.");
        if (Check(source) is { } refused) return refused;
        return source == Source && hasGitCredentials == HasGitCredentials
            ? Decision.Nothing
            : Decision.Accept(new BuildDefinitionChanged(Id, Name, source, hasGitCredentials, by, at));
    }

    public Decision Delete(ActorRef by, DateTimeOffset at) =>
        Deleted ? Decision.Nothing : Decision.Accept(new BuildDefinitionDeleted(Id, Name, by, at));

    /// <summary>A run of the definition as it is now, numbered <paramref name="number"/>; the tag must come out valid.</summary>
    public Decision Queue(Guid buildId, int number, string registryAddress, string? commit, Guid? rerunOf, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return DomainError.NotFound($"The build definition {Name} was deleted.");
        if (commit is not null && !BuildRules.IsValidCommit(commit)) return DomainError.Invalid("A commit is 7 to 40 lowercase hexadecimal characters.", "commit");
        if (commit is null && BuildRules.NeedsCommit(Source.TagTemplate))
            return DomainError.Invalid("The tag template uses {shortSha}: give the commit to build.", "commit");
        var tag = BuildRules.Tag(Source.TagTemplate, Source.Ref, commit, number);
        if (!RepositoryNames.IsValidTag(tag)) return DomainError.Invalid($"The tag template yields '{tag}', which is not a valid tag.", "tagTemplate");
        var image = $"{registryAddress}/{RepositoryNames.InWorkspace(WorkspaceName, Source.Repository)}:{tag}";
        return Decision.Accept(new BuildQueued(buildId, Id, Name, WorkspaceId, WorkspaceName, number, Source, image, tag, commit, rerunOf, by, at));
    }

    static DomainError? Check(BuildSource s)
    {
        if (!BuildRules.IsValidGitUrl(s.GitUrl)) return DomainError.Invalid("The git URL is http(s)://, ssh:// or git@host:path, without credentials in it.", "gitUrl");
        if (string.IsNullOrWhiteSpace(s.Ref) || s.Ref.Length > 255 || s.Ref.Any(char.IsWhiteSpace)) return DomainError.Invalid("Give the branch, tag or commit to build.", "ref");
        if (s.Context != "." && s.Context != "" && !BuildRules.StaysInside(s.Context)) return DomainError.Invalid("The context is a relative path inside the repository.", "context");
        if (!BuildRules.StaysInside(s.Dockerfile)) return DomainError.Invalid("The Dockerfile path is relative and stays inside the context (no '..').", "dockerfile");
        if (!RepositoryNames.IsValid(s.Repository)) return DomainError.Invalid($"The repository name has {RepositoryNames.Rule}.", "repository");
        if (!BuildRules.TemplateYieldsValidTag(s.TagTemplate, s.Ref))
            return DomainError.Invalid("The tag template must yield a valid tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'); placeholders: {branch}, {shortSha}, {buildNumber}.", "tagTemplate");
        return null;
    }

    public static BuildDefinition Create(BuildDefinitionCreated e) => new(e.DefinitionId, e.WorkspaceId, e.WorkspaceName, e.Name, e.Source, e.HasGitCredentials, false);
    public BuildDefinition Apply(BuildDefinitionChanged e) => this with { Source = e.Source, HasGitCredentials = e.HasGitCredentials };
    public BuildDefinition Apply(BuildDefinitionDeleted _) => this with { Deleted = true };
}

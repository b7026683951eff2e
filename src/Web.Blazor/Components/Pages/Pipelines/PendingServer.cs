using System.Text.Json;
using System.Text.Json.Serialization;
using Cocktail.Application.Common;
using Cocktail.Application.Pipelines;
using Cocktail.Domain.Pipelines;

// TEMPORARY: the server's pipeline commands and queries as this branch expects them, until wt-defs and wt-engine
// land (then this file goes and the pages use theirs). No handler exists for these: the dispatcher answers a failure.
namespace Cocktail.Web.Components.Pages.Pipelines.Pending;

public sealed record DefinePipeline(Guid WorkspaceId, PipelineDefinition? Definition, string? Yaml = null) : IRequest<PipelineDefined>;

public sealed record PipelineDefined(Guid Id, long Version, string? WebhookSecret);

public sealed record ChangePipeline(Guid PipelineId, PipelineDefinition? Definition, string? Yaml = null, string? Reason = null, int? ExpectedVersion = null)
    : IRequest<Accepted>;

public sealed record DeletePipeline(Guid PipelineId) : IRequest<Accepted>;

public sealed record RotatePipelineWebhookSecret(Guid PipelineId) : IRequest<PipelineWebhookSecret>;

public sealed record PipelineWebhookSecret(Guid PipelineId, string Secret);

public sealed record ListPipelines(Guid WorkspaceId) : IRequest<IReadOnlyList<PipelineView>>;

public sealed record GetPipeline(Guid PipelineId) : IRequest<PipelineView>;

public sealed record PipelineVersion(int Version, PipelineDefinition Definition, string? Reason, string By, DateTimeOffset At);

public sealed record ListPipelineVersions(Guid PipelineId) : IRequest<IReadOnlyList<PipelineVersion>>;

public sealed record RunPipeline(Guid PipelineId, string? Ref = null, string? Commit = null, string? Tag = null) : IRequest<Accepted>;

public sealed record CancelPipelineRun(Guid RunId, string? Reason = null) : IRequest<Accepted>;

public sealed record RerunPipelineRun(Guid RunId) : IRequest<Accepted>;

public sealed record ApprovePipelineStage(Guid RunId, string Stage, string? Comment = null) : IRequest<Accepted>;

public sealed record RejectPipelineStage(Guid RunId, string Stage, string Reason) : IRequest<Accepted>;

public sealed record ListPipelineRuns(Guid PipelineId, int Page = 1, int PageSize = 25) : IRequest<Page<PipelineRunView>>;

public sealed record GetPipelineRun(Guid RunId) : IRequest<PipelineRunView>;

/// <summary>Runs waiting for the caller's approval, with the stage.</summary>
public sealed record ListPendingApprovals : IRequest<IReadOnlyList<PipelineRunView>>;

public static class PipelineYaml
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter() }, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(PipelineDefinition definition) => JsonSerializer.Serialize(definition, Options);

    public static Result<PipelineDefinition> Read(string yaml)
    {
        try { return JsonSerializer.Deserialize<PipelineDefinition>(yaml, Options)!; }
        catch (JsonException e) { return Failure.Invalid(e.Message, "yaml"); }
    }
}

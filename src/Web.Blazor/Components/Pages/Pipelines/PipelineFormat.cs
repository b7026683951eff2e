using Cocktail.Application.Pipelines;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Components.Pages.Builds;
using MudBlazor;

namespace Cocktail.Web.Components.Pages.Pipelines;

/// <summary>How pipeline pages word a run and its steps: colours, words for statuses, durations, who may approve.</summary>
public static class PipelineFormat
{
    public static Color RunColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Color.Success,
        RunStatus.Failed => Color.Error,
        RunStatus.Running => Color.Info,
        RunStatus.Cancelled => Color.Warning,
        _ => Color.Default,
    };

    public static Color StepColor(StepStatus status) => status switch
    {
        StepStatus.Succeeded => Color.Success,
        StepStatus.Failed => Color.Error,
        StepStatus.Running => Color.Info,
        StepStatus.WaitingApproval => Color.Warning,
        _ => Color.Default,
    };

    public static string StepWords(StepStatus status) => status switch
    {
        StepStatus.WaitingApproval => "Waiting for approval",
        _ => status.ToString(),
    };

    public static string StepIcon(StepStatus status) => status switch
    {
        StepStatus.Succeeded => Icons.Material.Filled.CheckCircle,
        StepStatus.Failed => Icons.Material.Filled.Cancel,
        StepStatus.Running => Icons.Material.Filled.Autorenew,
        StepStatus.WaitingApproval => Icons.Material.Filled.HowToReg,
        _ => Icons.Material.Outlined.Circle,
    };

    public static string KindWords(StageKind kind) => kind switch
    {
        StageKind.ScanGate => "Scan gate",
        _ => kind.ToString(),
    };

    /// <summary>The run's duration, the time so far while it runs, "—" before it starts.</summary>
    public static string Duration(PipelineRunView run, DateTimeOffset now)
    {
        if (run.DurationSeconds is { } seconds) return BuildFormat.Words(TimeSpan.FromSeconds(seconds));
        return run.StartedAt is { } started ? BuildFormat.Words((run.EndedAt ?? now) - started) : "—";
    }

    public static string Duration(PipelineStepView step, DateTimeOffset now)
    {
        if (step.DurationSeconds is { } seconds) return BuildFormat.Words(TimeSpan.FromSeconds(seconds));
        return step.StartedAt is { } started ? BuildFormat.Words((step.EndedAt ?? now) - started) : "";
    }

    /// <summary>Where the run came from: "tag v1", "main at 1a2b3c4".</summary>
    public static string Trigger(RunTrigger trigger) => PipelineRunDescribing.Trigger(trigger);

    /// <summary>A member whose role is the one asked for, or a higher one (WorkspaceAdmin above Developer).</summary>
    public static bool MayApprove(WorkspaceRole? mine, bool platformAdmin, WorkspaceRole required) =>
        platformAdmin || mine is { } role && role <= required;

    public static string Source(PipelineDefinition d) => d.Source.Kind == PipelineSourceKind.Git
        ? $"{d.Source.GitUrl}{(d.Source.Branches is { } b ? $" ({b})" : "")}"
        : $"{d.Source.Repository}{(d.Source.Tags is { } t ? $" ({t})" : "")}";

    public static IEnumerable<string> Triggers(PipelineDefinition d)
    {
        var t = d.EffectiveTriggers;
        yield return "manual";
        if (t.GitPush is { } provider) yield return $"{provider} push";
        if (t.RegistryPush) yield return "registry push";
        if (t.Schedule is { } cron) yield return $"cron {cron}";
    }
}

using Cocktail.Domain.Terminal;

namespace Cocktail.Application.TerminalSessions;

/// <summary>A terminal session as the session list and the replay page show it.</summary>
public sealed class TerminalSessionView
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string UserName { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public Guid? WorkspaceId { get; set; }
    public string Namespace { get; set; } = "";
    public string Pod { get; set; } = "";
    public string Container { get; set; } = "";
    public List<string> Command { get; set; } = [];
    public string? Protocol { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int? ExitCode { get; set; }
    public string? EndReason { get; set; }
    public TimeSpan? Duration { get; set; }
    public long InputBytes { get; set; }
    public long OutputBytes { get; set; }
    public long RecordingBytes { get; set; }
    public bool RecordingTruncated { get; set; }

    public static TerminalSessionView Create(TerminalSessionStarted e) => new()
    {
        Id = e.SessionId, UserId = e.StartedBy.Id, UserName = e.StartedBy.Name, ClusterId = e.ClusterId, ClusterName = e.ClusterName,
        WorkspaceId = e.WorkspaceId, Namespace = e.Namespace, Pod = e.Pod, Container = e.Container, Command = [.. e.Command],
        Protocol = e.Protocol, StartedAt = e.StartedAt,
    };

    public void Apply(TerminalSessionEnded e)
    {
        EndedAt = e.EndedAt;
        ExitCode = e.ExitCode;
        EndReason = e.Reason;
        Duration = e.Duration;
        InputBytes = e.InputBytes;
        OutputBytes = e.OutputBytes;
        RecordingBytes = e.RecordingBytes;
        RecordingTruncated = e.RecordingTruncated;
    }
}

/// <summary>A session's output as an asciicast v2 file (one JSON header line, then [time, code, data] lines).</summary>
public sealed class TerminalRecording
{
    public Guid Id { get; set; }
    public string Cast { get; set; } = "";
    public bool Truncated { get; set; }
}

using Cocktail.Domain.Terminal;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.TerminalSessions;

public static class Configuration
{
    /// <summary>Terminal sessions (events and their list) and their recordings (asciicast documents).</summary>
    public static void AddTerminalSessions(this StoreOptions options)
    {
        options.Projections.Snapshot<TerminalSessionView>(SnapshotLifecycle.Inline);
        options.Schema.For<TerminalSessionView>().Index(s => s.UserId).Index(s => s.StartedAt);
        options.Schema.For<TerminalRecording>();
        options.Events.AddEventTypes([typeof(TerminalSessionStarted), typeof(TerminalSessionEnded)]);
    }
}

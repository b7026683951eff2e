namespace Cocktail.Web.Components.Shared;

/// <summary>One line of a log view: where it came from (pod/container, when several are shown together) and its text.</summary>
public sealed record LogLine(string? Source, string Text);

/// <summary>
/// Reads one or more log streams into one list of lines, newest last, rendering a few times a second however fast
/// containers write. Pumps run on the component's synchronization context, so the list is only touched there.
/// </summary>
public sealed class LogPump(Func<Task> render, ILogger logger, int maxLines = 5_000) : IDisposable
{
    private static readonly TimeSpan RenderEvery = TimeSpan.FromMilliseconds(250);

    private CancellationTokenSource? _reading;
    private bool _renderScheduled;
    private int _open;

    public List<LogLine> Lines { get; } = [];
    public List<string> Problems { get; } = [];
    public bool Reading => _open > 0;

    /// <summary>Stops what was read before and starts afresh; the token ends the new reading.</summary>
    public CancellationToken Restart()
    {
        Stop();
        Lines.Clear();
        Problems.Clear();
        _reading = new CancellationTokenSource();
        return _reading.Token;
    }

    public void Add(Stream content, string? source, CancellationToken ct)
    {
        _open++;
        _ = PumpAsync(content, source, ct);
    }

    private async Task PumpAsync(Stream content, string? source, CancellationToken ct)
    {
        await using var _ = content;
        await using var closeOnCancel = ct.Register(content.Dispose);
        using var reader = new StreamReader(content);
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                Lines.Add(new LogLine(source, line));
                if (Lines.Count > maxLines) Lines.RemoveRange(0, Lines.Count - maxLines);
                ScheduleRender(ct);
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            return;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            logger.LogInformation(e, "A log stream broke off");
            Problems.Add($"The log of {source ?? "the container"} broke off: {e.GetBaseException().Message}. Read it again with the refresh button.");
        }
        finally
        {
            _open--;
        }
        if (!ct.IsCancellationRequested) await render();
    }

    private void ScheduleRender(CancellationToken ct)
    {
        if (_renderScheduled) return;
        _renderScheduled = true;
        _ = RenderSoonAsync(ct);
    }

    private async Task RenderSoonAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(RenderEvery, ct);
        }
        catch (OperationCanceledException)
        {
            // The reading was replaced; whatever reads next renders.
        }
        _renderScheduled = false;
        if (!ct.IsCancellationRequested) await render();
    }

    /// <summary>Cancels (and so closes) the streams being read; not disposed, since their readers may still be checking it.</summary>
    public void Stop()
    {
        _reading?.Cancel();
        _reading = null;
    }

    public void Dispose() => Stop();
}

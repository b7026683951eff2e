using System.Diagnostics;

namespace Cocktail.Infrastructure.Postgres;

/// <summary>Runs PostgreSQL's programs, as the `postgres` OS user when Cocktail runs as root (PostgreSQL refuses root).</summary>
internal sealed class ProcessRunner(string? runAsUser)
{
    public string? RunAsUser { get; } = runAsUser;

    public async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (RunAsUser is null)
        {
            info.FileName = program;
        }
        else
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", RunAsUser, "--", program }) info.ArgumentList.Add(a);
        }
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // pg_ctl's server inherits the environment; keep the child's locale predictable.
        info.Environment["LC_ALL"] = "C.UTF-8";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        // pg_ctl leaves the server running with our pipes inherited unless it is given a log file (it is); read to end anyway.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}

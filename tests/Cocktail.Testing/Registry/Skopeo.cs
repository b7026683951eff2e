using System.Diagnostics;

namespace Cocktail.Testing.Registry;

/// <summary>What a client run printed and how it ended.</summary>
public sealed record ClientRun(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}".Trim();
}

/// <summary>
/// The real <c>skopeo</c> (Debian package <c>skopeo</c>) against a test registry over plain HTTP: copy an OCI layout
/// in (push), copy out (pull), inspect, with user name and password or none.
/// </summary>
public static class Skopeo
{
    public const string Executable = "/usr/bin/skopeo";

    public static bool Available => File.Exists(Executable);

    public const string MissingReason = "skopeo is not installed (/usr/bin/skopeo; apt-get install skopeo)";

    /// <summary>Pushes an OCI layout (<see cref="OciImage.WriteLayout"/>) to <c>docker://REFERENCE</c>.</summary>
    public static Task<ClientRun> PushAsync(string ociSource, string reference, string? userName, string? password) =>
        RunAsync(["copy", "--retry-times", "0", "--dest-tls-verify=false", .. Credentials("--dest-", userName, password),
            ociSource, $"docker://{reference}"]);

    /// <summary>Pulls <c>docker://REFERENCE</c> into a fresh OCI layout folder under <paramref name="directory"/>.</summary>
    public static Task<ClientRun> PullAsync(string reference, string directory, string? userName, string? password) =>
        RunAsync(["copy", "--retry-times", "0", "--src-tls-verify=false", .. Credentials("--src-", userName, password),
            $"docker://{reference}", $"oci:{directory}:pulled"]);

    /// <summary>The manifest's digest and more, as JSON (<c>skopeo inspect</c>).</summary>
    public static Task<ClientRun> InspectAsync(string reference, string? userName, string? password) =>
        RunAsync(["inspect", "--retry-times", "0", "--tls-verify=false", .. Credentials("--", userName, password), $"docker://{reference}"]);

    static string[] Credentials(string flagPrefix, string? userName, string? password) =>
        userName is null ? [$"{flagPrefix}no-creds"] : [$"{flagPrefix}creds={userName}:{password}"];

    public static async Task<ClientRun> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // No user's auth.json or registries.conf mirrors: only the credentials the test passes.
        info.Environment["REGISTRY_AUTH_FILE"] = Path.Combine(Path.GetTempPath(), $"cocktail-skopeo-{Guid.NewGuid():N}.json");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("skopeo did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"skopeo {string.Join(' ', info.ArgumentList)} did not end in time");
        }
        return new ClientRun(process.ExitCode, await output, await error);
    }
}

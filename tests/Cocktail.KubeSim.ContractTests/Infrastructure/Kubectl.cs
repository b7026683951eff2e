using System.Diagnostics;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>Runs the kubectl binary against the cluster under test; tests using it skip where kubectl is missing.</summary>
public static class Kubectl
{
    static readonly Lazy<string?> Binary = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kubectl")).FirstOrDefault(File.Exists));

    public static void SkipIfMissing() => Skip.If(Binary.Value is null, "kubectl is not installed on this machine");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> Run(string kubeconfig, string arguments, string? stdin = null)
    {
        var info = new ProcessStartInfo(Binary.Value!, $"--kubeconfig {kubeconfig} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}

using System.Text;

namespace Cocktail.KubeSim;

/// <summary>Renders kubeconfig files as kubectl writes them.</summary>
public static class Kubeconfig
{
    public static string WithToken(string clusterName, string server, string caData, string userName, string token) =>
        Render(clusterName, server, caData, userName, $"    token: {token}\n");

    public static string WithClientCertificate(string clusterName, string server, string caData, string userName, string certData, string keyData) =>
        Render(clusterName, server, caData, userName, $"    client-certificate-data: {certData}\n    client-key-data: {keyData}\n");

    static string Render(string clusterName, string server, string caData, string userName, string userFields)
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\nkind: Config\n");
        sb.Append($"clusters:\n- name: {clusterName}\n  cluster:\n    server: {server}\n    certificate-authority-data: {caData}\n");
        sb.Append($"contexts:\n- name: {clusterName}\n  context:\n    cluster: {clusterName}\n    user: {userName}\n");
        sb.Append($"current-context: {clusterName}\npreferences: {{}}\n");
        sb.Append($"users:\n- name: {userName}\n  user:\n{userFields}");
        return sb.ToString();
    }
}

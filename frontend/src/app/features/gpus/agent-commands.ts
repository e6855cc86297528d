/** What to run on a GPU host once its agent token is issued, with this console's own address. */
export interface AgentCommands {
  /** Writes the token where the commands below read it, readable by its owner only. */
  saveToken: string;
  /** The systemd service (components/gpu-agent/scripts/install.sh). */
  install: string;
  /** The agent from a checkout, in the foreground. */
  run: string;
}

export function agentCommands(serverUrl: string, host: string): AgentCommands {
  return {
    saveToken: `(umask 077 && cat > agent.token)   # paste the token, then Ctrl-D`,
    install: `sudo components/gpu-agent/scripts/install.sh --server ${serverUrl} --token-file ./agent.token --host ${host}`,
    run: `npm run gpu-agent -- --server ${serverUrl} --token-file agent.token --host ${host}`,
  };
}

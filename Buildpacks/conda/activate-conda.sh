# Login shells (and the image entrypoint, which runs in one) activate the notebook environment,
# or, with a separate kernel environment, the kernel environment with the notebook one stacked on
# top, so both `python` (the user's) and `jupyter` (the server's) are found.
if [ -f "${CONDA_DIR}/etc/profile.d/conda.sh" ]; then
    . "${CONDA_DIR}/etc/profile.d/conda.sh"
    if [ -x "${CONDA_DIR}/bin/mamba" ]; then
        eval "$("${CONDA_DIR}/bin/mamba" shell hook --shell bash 2>/dev/null)" || alias mamba=conda
    fi
    if [ -n "${KERNEL_PYTHON_PREFIX:-}" ] && [ "${KERNEL_PYTHON_PREFIX}" != "${NB_PYTHON_PREFIX}" ]; then
        conda activate "${KERNEL_PYTHON_PREFIX}"
        conda activate --stack "${NB_PYTHON_PREFIX}"
        export CONDA_DEFAULT_ENV="${KERNEL_PYTHON_PREFIX}"
    else
        conda activate "${NB_PYTHON_PREFIX}"
    fi
else
    echo "activate-conda: ${CONDA_DIR}/etc/profile.d/conda.sh is missing; the conda environment is not activated" >&2
fi
